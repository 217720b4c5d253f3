using System.Diagnostics;
using NasPlatform.Engine.Datasets;
using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Objective;
using NasPlatform.Engine.SearchSpace;
using NasPlatform.Engine.Strategies;
using NasPlatform.Engine.Torch;
using NasPlatform.Engine.Training;

namespace NasPlatform.Engine.Search;

/// <summary>
/// The search loop: the strategy proposes, the estimator trains at proxy fidelity and measures
/// latency, the MnasNet reward goes back to the strategy; then the best architecture (by reward) is
/// retrained on the whole training part and evaluated once on the test part.
/// </summary>
public sealed class SearchRunner
{
    private readonly DatasetBundle _data;
    private readonly SearchOptions _options;
    private readonly Action<SearchEvent> _emit;
    private readonly IPerformanceEstimator? _estimator;
    private readonly SearchCheckpoint? _resume;

    /// <param name="resumeFrom">A checkpoint of an earlier run of this search to continue from.</param>
    public SearchRunner(DatasetBundle data, SearchOptions options, Action<SearchEvent>? onEvent = null,
        IPerformanceEstimator? estimator = null, SearchCheckpoint? resumeFrom = null)
    {
        options.Validate();
        resumeFrom?.EnsureMatches(options);
        _resume = resumeFrom;
        _data = data;
        _options = options;
        _emit = onEvent ?? (_ => { });
        _estimator = estimator;
    }

    public SearchResult Run(CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        var elapsedBefore = TimeSpan.FromSeconds(_resume?.ElapsedSeconds ?? 0);
        TorchRuntime.Configure(_options.Threads);
        var device = TorchRuntime.ResolveDevice(_options.Device);
        var trainer = new Trainer(device);
        var meter = new LatencyMeter(device, _options.Latency);
        var train = _data.Train;
        var space = new MnasSearchSpace(train.Channels, train.Height, train.Width, train.NumClasses, _options.Space);
        var (trainSplit, validationSplit) = DataSplit.TrainValidation(train, _options.ValidationFraction, _options.Seed);
        var estimator = _estimator ?? new ProxyTrainingEstimator(trainSplit, validationSplit,
            _options.Training with { Epochs = _options.ProxyEpochs }, _options.ProxyFraction, _options.Seed, trainer, meter);

        _emit(new SearchStarted(DateTimeOffset.UtcNow, _options, trainSplit.Count, validationSplit.Count, _data.Test.Count, space.Decisions.Size));
        var trials = new List<TrialRecord>(_resume?.Trials ?? []);
        string stopReason = "trial budget reached";
        using (var strategy = StrategyFactory.Create(_options.Strategy, space.Decisions, _options.Seed, _options.StrategyOptions))
        {
            if (_resume is not null) strategy.LoadState(_resume.StrategyState);
            var cache = trials.Where(t => !t.FromCache).ToDictionary(t => t.Architecture.Hash);
            for (int trial = trials.Count + 1; trial <= _options.MaxTrials; trial++)
            {
                ct.ThrowIfCancellationRequested();
                if (_options.MaxMinutes is { } minutes && (elapsedBefore + clock.Elapsed).TotalMinutes >= minutes)
                {
                    stopReason = $"time budget of {minutes:0.##} min reached";
                    break;
                }
                var choices = strategy.Propose();
                var arch = space.Decode(choices);
                _emit(new TrialStarted(DateTimeOffset.UtcNow, trial, arch));
                TrialRecord record;
                if (cache.TryGetValue(arch.Hash, out var known))
                {
                    // A repeated proposal is not retrained: same data and seed would give the same numbers.
                    record = known with { Trial = trial, Choices = choices, Seconds = 0, FromCache = true };
                }
                else
                {
                    int t = trial;
                    var m = estimator.Estimate(arch, TrialSeed(arch), r => _emit(new EpochFinished(DateTimeOffset.UtcNow, t, r)), ct);
                    var complexity = Complexity.Of(arch);
                    double reward = MnasReward.Compute(m.ValidationAccuracy, m.Latency.MedianMs, _options.LatencyBudgetMs, _options.Constraint);
                    record = new TrialRecord(trial, arch, choices, m.ValidationAccuracy, m.Latency, complexity.Parameters,
                        complexity.MultiplyAdds, reward, m.History, m.Seconds, FromCache: false);
                    cache[arch.Hash] = record;
                }
                strategy.Report(choices, record.Reward);
                trials.Add(record);
                _emit(new TrialFinished(DateTimeOffset.UtcNow, record));
                _emit(new CheckpointReady(DateTimeOffset.UtcNow, new SearchCheckpoint(SearchCheckpoint.CurrentVersion,
                    _options.Strategy, _options.Seed, strategy.SaveState(), trials.ToList(), (elapsedBefore + clock.Elapsed).TotalSeconds)));
            }
        }

        var pareto = ParetoFront.Indices(trials.Select(t => new TradeOffPoint(t.ValidationAccuracy, t.LatencyMs)).ToList())
            .Select(i => trials[i].Trial).ToList();
        var best = trials.OrderByDescending(t => t.Reward).ThenBy(t => t.Trial).First();
        var final = TrainFinal(best, trainer, ct);
        var result = new SearchResult(trials, pareto, final, (elapsedBefore + clock.Elapsed).TotalSeconds, stopReason);
        _emit(new SearchFinished(DateTimeOffset.UtcNow, result));
        return result;
    }

    private FinalModel TrainFinal(TrialRecord best, Trainer trainer, CancellationToken ct)
    {
        _emit(new FinalTrainingStarted(DateTimeOffset.UtcNow, best, _options.FinalEpochs, _data.Train.Count));
        return FinalTraining.Run(_data, _options, best, trainer, r => _emit(new EpochFinished(DateTimeOffset.UtcNow, 0, r)), ct);
    }

    /// <summary>Initialization/data-order seed of an architecture: the same architecture always trains the same way in a search.</summary>
    private long TrialSeed(MnasArchitecture arch) => FinalTraining.TrialSeed(_options.Seed, arch);
}
