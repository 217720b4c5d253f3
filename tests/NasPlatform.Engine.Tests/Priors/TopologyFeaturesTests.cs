using NasPlatform.Engine.Components;
using NasPlatform.Engine.Common;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Ops.Cells;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Tasks;
using NasPlatform.Engine.Topology;
using NasPlatform.Engine.Zoo;

namespace NasPlatform.Engine.Tests.Priors;

public class TopologyFeaturesTests
{
    private static readonly SpaceInput Input = new(new FeatureShape(1, 28, 28), new TaskOutput(10));

    private static double Feature(string name, double[] features) => features[TopologyFeatures.All.Select(f => f.Name).ToList().IndexOf(name)];

    private static double[] Member(string name)
    {
        var member = BaselineZoo.Members(SearchCatalog.BuiltIn, Input, "classification").Single(m => m.Name == name);
        return TopologyFeatures.Of(member.Space.Graph(member.Architecture));
    }

    [Fact]
    public void EverySpace_GivesAFiniteVectorOfTheDocumentedLength_ForRandomArchitectures()
    {
        var rng = new SeededRandom(5);
        foreach (var definition in SearchCatalog.BuiltIn.Spaces.All)
        {
            var space = definition.Create(Input, null);
            for (int i = 0; i < 20; i++)
            {
                var choices = space.Decisions.Decisions.Select(d => rng.Next(d.Cardinality)).ToArray();
                var features = TopologyFeatures.Of(space.Graph(space.Decode(choices)));
                Assert.Equal(TopologyFeatures.Count, features.Length);
                Assert.All(features, f => Assert.True(double.IsFinite(f) && f is >= -1 and <= 3, $"{space.Name}: {string.Join(", ", features)}"));
            }
        }
    }

    [Fact]
    public void HandDesignedNetworks_ReadAsTheirTopologies()
    {
        var vgg = Member("vgg-1x");
        var resnet = Member("resnet20-1x");
        var mobile = Member("mobilenetv2-1x");
        var shuffle = Member("shufflenetv2-1x");

        Assert.Equal(0, Feature("residual", vgg));
        Assert.Equal(0, Feature("depthwise", vgg));
        Assert.True(Feature("residual", resnet) > 0.5, "ResNet-20's units are mostly residual blocks");
        // ResNet-20: 19 convolutions on its longest path (the stem and two per basic block).
        Assert.Equal(19 / 50.0, Feature("depth", resnet), 6);
        Assert.True(Feature("depth", resnet) > Feature("depth", vgg));
        Assert.True(Feature("depthwise", mobile) > 0.2 && Feature("depthwise", resnet) == 0);
        Assert.True(Feature("concat", shuffle) > 0.5 && Feature("concat", resnet) == 0);
        Assert.True(Feature("widthEnd", resnet) > Feature("widthStart", resnet), "channels grow along ResNet-20");
    }

    [Fact]
    public void DartsCells_AreUnitsThatConcatenate_WithTheirOpsInTheMix()
    {
        var space = SearchCatalog.BuiltIn.Spaces.Get("darts").Create(Input, System.Text.Json.JsonDocument.Parse("""{"cells": 3, "channels": 8}""").RootElement);
        double[] With(string op) => TopologyFeatures.Of(space.Graph(space.Decode(space.Decisions.Decisions
            .Select(d => d.Name.EndsWith(".op", StringComparison.Ordinal) ? CellOps.Kept.ToList().IndexOf(op) : 0).ToArray())));

        var skips = With(CellOps.Skip);
        var separable = With(CellOps.SepConv3);
        // The stem, then three cells: three of four units concatenate their nodes.
        Assert.Equal(0.75, Feature("concat", skips), 6);
        Assert.True(Feature("identityPaths", skips) > 0);
        Assert.Equal(0, Feature("depthwise", skips));
        Assert.True(Feature("depthwise", separable) > 0.3);
        Assert.True(Feature("depth", separable) > Feature("depth", skips));
    }
}
