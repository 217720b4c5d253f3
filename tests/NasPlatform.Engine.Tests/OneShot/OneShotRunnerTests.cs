using System.Text.Json;
using NasPlatform.Engine.Components;
using NasPlatform.Engine.Datasets;
using NasPlatform.Engine.Latency;
using NasPlatform.Engine.OneShot;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Strategies;
using NasPlatform.Engine.Tests.TestData;
using NasPlatform.Engine.Training;

namespace NasPlatform.Engine.Tests.OneShot;

public class OneShotRunnerTests
{
    /// <summary>Steps that only count; derives the architecture whose choices are all "step count mod cardinality".</summary>
    private sealed class CountingMethod : IOneShotMethod
    {
        public List<int> Steps { get; } = [];
        public string Name => "counting";
        public string Description => "test double";
        public IReadOnlyList<string> Spaces { get; } = ["mnasnet"];

        public IOneShotRun Start(OneShotContext context, Stream? checkpoint) =>
            new Run(this, context, checkpoint is null ? 0 : JsonSerializer.Deserialize<int>(checkpoint));

        private sealed class Run(CountingMethod owner, OneShotContext context, int done) : IOneShotRun
        {
            public bool Finished => done >= context.Options.ProxyEpochs;

            public OneShotProgress Step(CancellationToken ct)
            {
                owner.Steps.Add(++done);
                return new OneShotProgress(done, context.Options.ProxyEpochs, new Dictionary<string, double> { ["trainLoss"] = 1.0 / done });
            }

            public void SaveCheckpoint(Stream output) => JsonSerializer.Serialize(output, done);

            public (IArchitecture, double) Derive() =>
                (context.Space.Decode(context.Space.Decisions.Decisions.Select(d => done % d.Cardinality).ToArray()), 0.7);

            public void Dispose() { }
        }
    }

    private static SearchCatalog Catalog(CountingMethod method) => new(SearchCatalog.BuiltInSpaces, StrategyDefinition.BuiltIn,
        SearchCatalog.BuiltInObjectives, SearchCatalog.BuiltInTasks, [method]);

    private static SearchOptions Options => new()
    {
        LatencyBudgetMs = 2, Strategy = "counting", ProxyEpochs = 4, FinalEpochs = 1, Threads = 2, Seed = 3,
        Training = new TrainingOptions { BatchSize = 32 }, Latency = new LatencyOptions { WarmupRuns = 1, TimedRuns = 3 },
    };

    private static DatasetBundle Data() => new(TinyImages.Make(60, 3, 1, 16, seed: 1), TinyImages.Make(15, 3, 1, 16, seed: 2), "test");

    [Fact]
    public void OneShotSearch_StepsToTheEnd_AndItsDerivedArchitectureIsTheOneTrialAndTheModel()
    {
        var method = new CountingMethod();
        var events = new List<SearchEvent>();
        var result = new SearchRunner(Data(), Options, events.Add, catalog: Catalog(method)).Run();
        using var network = result.Final.Network;

        Assert.Equal([1, 2, 3, 4], method.Steps);
        Assert.Equal(4, events.OfType<OneShotStepped>().Count());
        var trial = Assert.Single(result.Trials);
        Assert.Equal(0.7, trial.ValidationMetric);
        Assert.True(trial.LatencyMs > 0);
        Assert.Equal(4, trial.Outcome.History.Count);
        Assert.Same(trial, result.Selected);
        Assert.Equal("counting finished", result.StopReason);
    }

    [Fact]
    public void OneShotSearch_FromACheckpoint_RunsOnlyTheRemainingSteps_AndDerivesTheSameArchitecture()
    {
        var full = new SearchRunner(Data(), Options, catalog: Catalog(new CountingMethod())).Run();
        full.Final.Network.Dispose();

        var first = new CountingMethod();
        byte[]? afterTwo = null;
        var cut = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => new SearchRunner(Data(), Options, e =>
        {
            if (e is not OneShotStepped { Progress.Epoch: 2 } s) return;
            var buffer = new MemoryStream();
            s.Run.SaveCheckpoint(buffer);
            afterTwo = buffer.ToArray();
            cut.Cancel(); // the process "dies" after step 2
        }, catalog: Catalog(first)).Run(cut.Token));
        Assert.Equal([1, 2], first.Steps);

        var second = new CountingMethod();
        var resumed = new SearchRunner(Data(), Options, catalog: Catalog(second), oneShotCheckpoint: new MemoryStream(afterTwo!)).Run();
        resumed.Final.Network.Dispose();
        Assert.Equal([3, 4], second.Steps);
        Assert.Equal(full.Selected.ArchitectureHash, resumed.Selected.ArchitectureHash);
    }

    [Fact]
    public void AOneShotMethod_ForAnotherSpace_IsRefusedBeforeAnyWork()
    {
        var e = Assert.Throws<ArgumentException>(() => new SearchRunner(Data(), Options with { Space = "mnasnet", Strategy = "counting" },
            catalog: new SearchCatalog(SearchCatalog.BuiltInSpaces, StrategyDefinition.BuiltIn, SearchCatalog.BuiltInObjectives, SearchCatalog.BuiltInTasks,
                [new OtherSpaceMethod()])));
        Assert.Contains("not the mnasnet space", e.Message);
    }

    private sealed class OtherSpaceMethod : IOneShotMethod
    {
        public string Name => "counting";
        public string Description => "test double";
        public IReadOnlyList<string> Spaces { get; } = ["darts"];
        public IOneShotRun Start(OneShotContext context, Stream? checkpoint) => throw new InvalidOperationException("not reached");
    }
}
