using System.Collections.Concurrent;
using System.Text.Json;
using NasPlatform.Engine.OneShot;
using NasPlatform.Engine.Spaces;

namespace NasPlatform.Web.Tests.Toy;

/// <summary>
/// A test double of a one-shot method (DARTS's place) over the toy space: proxyEpochs steps of a few
/// milliseconds, a checkpoint that holds the steps done, and a derived architecture. It records the
/// steps it ran per search seed and can be told to fail once at a given step.
/// </summary>
public sealed class ToyOneShot : IOneShotMethod
{
    public const string MethodName = "toy-oneshot";

    public static readonly ConcurrentDictionary<long, ConcurrentQueue<int>> StepsBySeed = new();
    public static readonly ConcurrentDictionary<long, int> FailOnceAtStep = new();

    public string Name => MethodName;
    public string Description => "A one-shot test double (tests only).";
    public IReadOnlyList<string> Spaces { get; } = [ToySpace.SpaceName];

    private sealed record State(int Steps);

    /// <summary>How many runs were started per seed (a fresh start or a resume each).</summary>
    public static readonly ConcurrentDictionary<long, int> StartsBySeed = new();

    public IOneShotRun Start(OneShotContext context, Stream? checkpoint)
    {
        StartsBySeed.AddOrUpdate(context.Options.Seed, 1, (_, n) => n + 1);
        return new Run(context, checkpoint is null ? 0 : JsonSerializer.Deserialize<State>(checkpoint)!.Steps);
    }

    private sealed class Run(OneShotContext context, int done) : IOneShotRun
    {
        private long Seed => context.Options.Seed;
        private int Epochs => context.Options.ProxyEpochs;

        public bool Finished => done >= Epochs;

        public OneShotProgress Step(CancellationToken ct)
        {
            int step = done + 1;
            StepsBySeed.GetOrAdd(Seed, _ => new()).Enqueue(step);
            if (FailOnceAtStep.TryRemove(new KeyValuePair<long, int>(Seed, step))) throw new InvalidOperationException($"toy failure at step {step}");
            Thread.Sleep(50);
            ct.ThrowIfCancellationRequested();
            done = step;
            return new OneShotProgress(step, Epochs, new Dictionary<string, double> { ["trainLoss"] = 1.0 / step, ["validationMetric"] = 0.5 + 0.01 * step });
        }

        public void SaveCheckpoint(Stream output) => JsonSerializer.Serialize(output, new State(done));

        public (IArchitecture Architecture, double ValidationMetric) Derive() =>
            (context.Space.Decode([done % context.Space.Decisions.Decisions[0].Cardinality, 1]), 0.8);

        public void Dispose() { }
    }
}
