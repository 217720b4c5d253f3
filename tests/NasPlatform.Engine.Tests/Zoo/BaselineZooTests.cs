using NasPlatform.Engine.Components;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Tasks;
using NasPlatform.Engine.Tests.TestData;
using NasPlatform.Engine.Torch;
using NasPlatform.Engine.Zoo;
using TorchSharp;

namespace NasPlatform.Engine.Tests.Zoo;

public class BaselineZooTests
{
    public BaselineZooTests() => TorchRuntime.EnsureLoaded();

    [Theory]
    [InlineData(1, 28, 10)]
    [InlineData(3, 32, 10)]
    [InlineData(1, 27, 3)]
    public void EveryMember_BuildsRunsForward_CountsItsParametersExactly_AndRoundTripsThroughItsSpace(int channels, int size, int classes)
    {
        var input = new SpaceInput(new FeatureShape(channels, size, size), new TaskOutput(classes));
        var members = BaselineZoo.Members(SearchCatalog.BuiltIn, input, "classification");
        int families = BaselineZoo.Families.Count(f => SearchCatalog.BuiltIn.Spaces.Get(f.Space).Tasks.Contains("classification"));
        Assert.Equal(families * BaselineZoo.Widths.Count, members.Count);
        Assert.Equal(members.Count, members.Select(m => m.Name).Distinct().Count());
        foreach (var member in members)
        {
            using var scope = torch.NewDisposeScope();
            var candidate = new Candidate(member.Architecture, member.Space.Graph(member.Architecture), Mnas.Task);
            using var net = candidate.Build(1);
            net.eval();
            using var noGrad = torch.no_grad();
            Assert.Equal([2L, classes], net.call(torch.randn(2, channels, size, size)).shape);
            Assert.Equal(Mnas.ParameterCount(net), candidate.Cost.Parameters);
            Assert.Equal(member.Architecture.Hash, member.Space.Parse(member.Architecture.ToJson()).Hash);
        }
        // Wider members cost more within a family.
        foreach (var family in members.GroupBy(m => m.Family))
        {
            var costs = family.OrderBy(m => m.Width).Select(m => new Candidate(m.Architecture, m.Space.Graph(m.Architecture), Mnas.Task).Cost.MultiplyAdds).ToList();
            Assert.Equal(costs.Order(), costs);
        }
    }

    [Fact]
    public void Members_CanBeChosenByFamily()
    {
        var input = new SpaceInput(new FeatureShape(1, 28, 28), new TaskOutput(10));
        var members = BaselineZoo.Members(SearchCatalog.BuiltIn, input, "classification", ["resnet20"]);
        Assert.Equal(["resnet20-0.25x", "resnet20-0.5x", "resnet20-1x"], members.Select(m => m.Name));
    }
}
