using NasPlatform.Engine.Common;
using NasPlatform.Engine.Components;
using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Objectives;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Tasks;
using NasPlatform.Engine.Torch;
using TorchSharp;

namespace NasPlatform.Engine.Tests.Latency;

public class LatencyPredictorTests
{
    /// <summary>Networks as counts of planted layers; their "measurement" is an overhead plus the planted per-layer sum, with 1% noise.</summary>
    private static (List<LatencyObservation> Observations, double[] Planted) Synthetic(int networks, int keys, int seed)
    {
        var random = new SeededRandom(seed);
        var planted = Enumerable.Range(0, keys).Select(_ => 0.01 + 0.5 * random.NextDouble()).ToArray();
        var observations = new List<LatencyObservation>();
        for (int n = 0; n < networks; n++)
        {
            var layers = new Dictionary<string, int>();
            double ms = 0.05;
            for (int k = 0; k < keys; k++)
            {
                int count = random.Next(4);
                if (count == 0) continue;
                layers[$"layer{k}"] = count;
                ms += count * planted[k];
            }
            observations.Add(new LatencyObservation(layers, ms * (1 + 0.01 * (2 * random.NextDouble() - 1))));
        }
        return (observations, planted);
    }

    [Fact]
    public void FromNetworkMeasurementsAlone_RecoversAPlantedPerLayerTable()
    {
        var (observations, planted) = Synthetic(networks: 200, keys: 15, seed: 3);
        var predictor = new LatencyPredictor(new LatencyTable(), ridge: 1e-6);
        predictor.ObserveAll(observations);

        Assert.InRange(predictor.Intercept, 0.0, 0.1);
        for (int k = 0; k < planted.Length; k++)
        {
            double recovered = predictor.Predict(new Dictionary<string, int> { [$"layer{k}"] = 1 }) - predictor.Intercept;
            Assert.True(Math.Abs(recovered - planted[k]) < 0.05 * planted[k] + 0.005, $"layer{k}: planted {planted[k]:0.####}, recovered {recovered:0.####}");
        }
        Assert.True(predictor.HeldOutAccuracy() >= 0.95, $"held-out accuracy {predictor.HeldOutAccuracy()}");
    }

    [Fact]
    public void WithATable_TheScaleAndOverheadAreCalibratedFromMeasurements()
    {
        var table = new LatencyTable();
        for (int k = 0; k < 6; k++) table.Set($"layer{k}", 0.1 * (k + 1));
        // The device runs layers 1.5x slower inside a network, plus 0.2 ms per call.
        var observations = Enumerable.Range(0, 30).Select(n =>
        {
            var layers = Enumerable.Range(0, 6).Where(k => (n >> (k % 5)) % 2 == 1 || k == n % 6).ToDictionary(k => $"layer{k}", _ => 1);
            return new LatencyObservation(layers, 0.2 + 1.5 * layers.Keys.Sum(k => table.Entries[k]));
        }).ToList();
        var predictor = new LatencyPredictor(table);
        Assert.Equal(0.1 + 0.2, predictor.Predict(new Dictionary<string, int> { ["layer0"] = 1, ["layer1"] = 1 }) - 0, 6); // uncalibrated: the table sum
        predictor.ObserveAll(observations);
        Assert.Equal(1.5, predictor.Scale, 2);
        Assert.Equal(0.2 + 1.5 * 0.3, predictor.Predict(new Dictionary<string, int> { ["layer0"] = 1, ["layer1"] = 1 }), 2);
        Assert.Equal(1.0, predictor.HeldOutAccuracy());
    }

    [Fact]
    public void LayerKeys_AreSharedBetweenNetworks_AndTheTableMeasuresEachOnce()
    {
        TorchRuntime.EnsureLoaded();
        var space = SearchCatalog.BuiltIn.Spaces.Get("resnet").Create(new SpaceInput(new FeatureShape(1, 12, 12), new TaskOutput(3)), null);
        var small = space.Graph(space.Decode(space.Decisions.Decisions.Select(_ => 0).ToArray()));
        var layers = LatencyLayers.Of(small);
        Assert.All(layers, l => Assert.IsNotType<Sequence>(l.Op));
        Assert.Equal(small.Backbone.Cost(small.Input).Parameters, layers.Sum(l => l.Op.Cost(l.Input).Parameters));

        var table = new LatencyTable();
        var meter = new LatencyMeter(torch.CPU, new LatencyOptions { WarmupRuns = 1, TimedRuns = 3, Rounds = 1 });
        int added = table.Fill(small, meter);
        Assert.Equal(layers.Select(l => l.Key).Distinct().Count(), added);
        Assert.Equal(0, table.Fill(small, meter));
        Assert.True(table.Sum(small) > 0);
        Assert.Equal(table.Entries.Count, LatencyTable.FromJson(table.ToJson()).Count);
    }

    [Fact]
    public void TheGate_SkipsOnlyUnderAHardBudget_AfterATrainedTrial_WithAWideMarginUntilCalibrated()
    {
        var meter = new LatencyMeter(torch.CPU);
        var hard = new LatencyGate(new LatencyPredictor(new LatencyTable()), meter, new LatencyTarget(1.0, LatencyConstraint.Hard));
        var soft = new LatencyGate(new LatencyPredictor(new LatencyTable()), meter, new LatencyTarget(1.0, LatencyConstraint.Soft));
        Assert.Null(soft.SkipReason(10, anyTrained: true));
        Assert.Null(hard.SkipReason(10, anyTrained: false));
        Assert.Null(hard.SkipReason(1.9, anyTrained: true));
        Assert.Contains("predicted 2.1 ms", hard.SkipReason(2.1, anyTrained: true));
        hard.Predictor.ObserveAll(Enumerable.Range(0, LatencyGate.Calibrated).Select(i => new LatencyObservation(new Dictionary<string, int> { ["a"] = i }, i)));
        Assert.NotNull(hard.SkipReason(1.3, anyTrained: true));
        Assert.Null(hard.SkipReason(1.2, anyTrained: true));

        // A calibrated prediction that ran 25% high widens the margin: 1.3 ms predicted may be 1.04 ms measured.
        hard.Outcome(predictedMs: 1.0, measuredMs: 0.8);
        Assert.Null(hard.SkipReason(1.3, anyTrained: true));
        Assert.NotNull(hard.SkipReason(1.4, anyTrained: true)); // 1.12 ms at that error: over the budget's 10% tolerance
        hard.Outcome(predictedMs: 1.0, measuredMs: 1.2); // running low never narrows it below the base margin
        Assert.Null(hard.SkipReason(1.3, anyTrained: true));
    }
}
