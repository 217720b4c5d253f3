using System.Diagnostics;
using NasPlatform.Engine.Components;
using NasPlatform.Engine.Datasets;
using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Objectives;
using NasPlatform.Engine.OneShot;
using NasPlatform.Engine.Torch;
using NasPlatform.Engine.Training;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Strategies;
using NasPlatform.Engine.Tasks;
using NasPlatform.Engine.Zoo;

namespace NasPlatform.Engine.Pipeline;

/// <summary>
/// The CLI's search loop over the one trial pipeline (<see cref="TrialEvaluator"/>): the strategy
/// proposes, the estimator trains at proxy fidelity and measures latency, the objective's reward goes
/// back to the strategy; then the best architecture is retrained on the whole training part and
/// evaluated once on the test part. The platform runs the same pipeline one job per trial.
/// </summary>
public sealed class SearchRunner
{
    private readonly DatasetBundle _data;
    private SearchOptions _options;
    private readonly SearchCatalog _catalog;
    private readonly SearchComponents _components;
    private readonly Action<SearchEvent> _emit;
    private readonly IPerformanceEstimator? _estimator;
    private readonly SearchCheckpoint? _resume;
    private readonly Stream? _oneShotCheckpoint;
    private readonly StrategyOptions _requestedStrategy;

    /// <param name="resumeFrom">A checkpoint of an earlier run of this search to continue from.</param>
    /// <param name="catalog">The parts the options name; the built-in ones by default.</param>
    /// <param name="oneShotCheckpoint">For a one-shot search: a checkpoint its run wrote (see <see cref="OneShotStepped"/>) to continue from.</param>
    public SearchRunner(DatasetBundle data, SearchOptions options, Action<SearchEvent>? onEvent = null,
        IPerformanceEstimator? estimator = null, SearchCheckpoint? resumeFrom = null, SearchCatalog? catalog = null, Stream? oneShotCheckpoint = null)
    {
        options.Validate();
        _requestedStrategy = options.StrategyOptions;
        // The budget-relative strategy sizes are fixed now, so the result and the checkpoint record what ran (a time budget
        // may size them again from the first trials' pace; the result then records those).
        options = options with { StrategyOptions = options.StrategyOptions.ForBudget(options.MaxTrials) };
        resumeFrom?.EnsureMatches(options);
        _resume = resumeFrom;
        _data = data;
        _options = options;
        // Resolved now, so an unknown name or a bad option is refused before any work.
        _catalog = catalog ?? SearchCatalog.BuiltIn;
        _components = SearchComponents.Resolve(_catalog, options, data.Train.Shape);
        _options = _components.Measured(options);
        _emit = onEvent ?? (_ => { });
        _estimator = estimator;
        _oneShotCheckpoint = oneShotCheckpoint;
    }

    public SearchResult Run(CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        var elapsedBefore = TimeSpan.FromSeconds(_resume?.ElapsedSeconds ?? 0);
        TorchRuntime.Configure(_options.Threads);
        var device = TorchRuntime.ResolveDevice(_options.Device);
        var trainer = new Trainer(device);
        var meter = new LatencyMeter(device, _options.Latency);
        var (trainSplit, validationSplit) = DataSplit.TrainValidation(_data.Train, _options.ValidationFraction, _options.Seed);

        _emit(new SearchStarted(DateTimeOffset.UtcNow, _options, trainSplit.Count, validationSplit.Count, _data.Test.Count, _components.Space.Decisions.Size));
        Func<TimeSpan> elapsed = () => elapsedBefore + clock.Elapsed;
        var gate = LatencyGate.For(_options, meter);
        var loop = _components.Kind == SearchKind.OneShot ? null
            : new TrialLoop(_components, _options,
                _estimator ?? new ProxyTrainingEstimator.Factory().Create(new EstimatorContext(trainSplit, validationSplit, _options, trainer, meter)),
                gate, _emit, _resume, elapsed, n => _requestedStrategy.ForBudget(n));
        var (trials, stopReason) = loop is null
            ? RunOneShot(new OneShotContext(_components.Space, _components.Task, trainSplit, validationSplit, _options, trainer, meter, gate.Predictor.Table), meter, elapsed, ct)
            : loop.Run(ct);
        if (loop?.SizedFor is { } sizedFor) _options = _options with { StrategyOptions = _requestedStrategy.ForBudget(sizedFor) };
        var predictor = _components.Kind == SearchKind.OneShot ? null
            : new LatencyPredictorReport(gate.Predictor.Observations, gate.Predictor.Table.Count, gate.Predictor.HeldOutAccuracy(), trials.Count(t => t.Skipped));

        var succeeded = trials.Where(t => !t.Failed).ToList();
        var pareto = ParetoFront.Indices(succeeded.Select(t => new TradeOffPoint(t.ValidationMetric, t.LatencyMs)).ToList())
            .Select(i => succeeded[i].Trial).ToList();
        var (chosen, finalists) = Finalists.Choose(TrialFidelity.TopRung(succeeded, t => t.Fidelity?.Rung), new LatencyTarget(_options.LatencyBudgetMs, _options.Constraint),
            t => t.Reward, t => t.Trial, t => t.LatencyMs, t => _components.Parse(t.ArchitectureJson), meter, ct);
        var best = chosen ?? throw new InvalidOperationException($"No trial succeeded: {trials.First(t => t.Failed).Error}");
        var (finalEpochs, shortened) = FinalBudget.Epochs(_options.FinalEpochs, _options.MaxTotalMinutes * 60 - elapsed().TotalSeconds,
            best.Outcome.History, _data.Train.Count);
        _emit(new FinalTrainingStarted(DateTimeOffset.UtcNow, best, finalEpochs, _data.Train.Count, finalists, shortened));
        var final = FinalTraining.Run(_data, _options with { FinalEpochs = finalEpochs }, _components, _components.Parse(best.ArchitectureJson), trainer,
            r => _emit(new EpochFinished(DateTimeOffset.UtcNow, 0, r)), ct);
        _emit(new FinalTrainingFinished(DateTimeOffset.UtcNow, final));
        var baselines = _options.Baselines ? RunBaselines(trainer, meter, ct) : [];
        var searchResult = new SearchResult(_options, _components.Task.PrimaryMetric, trials, pareto, best, final, elapsed().TotalSeconds, stopReason, baselines, predictor, finalists);
        _emit(new SearchFinished(DateTimeOffset.UtcNow, searchResult));
        return searchResult;
    }

    /// <summary>The zoo at the search's final recipe, after its final model (a baseline that fails is recorded, not fatal).</summary>
    private List<BaselineResult> RunBaselines(Trainer trainer, LatencyMeter meter, CancellationToken ct)
    {
        var members = BaselineZoo.Members(_catalog, new SpaceInput(_data.Train.Shape.Image, new TaskOutput(_data.Train.Shape.Classes)), _options.Task,
            _options.BaselineFamilies);
        var results = new List<BaselineResult>();
        for (int i = 0; i < members.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            _emit(new BaselineStarted(DateTimeOffset.UtcNow, members[i].Name, i + 1, members.Count));
            BaselineResult result;
            try
            {
                result = BaselineTraining.Run(members[i], _components.Task, _data, _options, _components, trainer, meter, null, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                result = BaselineTraining.Failure(members[i], _components.Task, e.Message);
            }
            results.Add(result);
            _emit(new BaselineFinished(DateTimeOffset.UtcNow, result));
        }
        return results;
    }

    /// <summary>One long run instead of trials: step, checkpoint (through the event), derive; the derived architecture becomes trial 1.</summary>
    private (List<TrialRecord> Trials, string StopReason) RunOneShot(OneShotContext context, LatencyMeter meter, Func<TimeSpan> elapsed, CancellationToken ct)
    {
        using var run = _components.OneShot!.Start(context, _oneShotCheckpoint);
        var progress = new List<OneShotProgress>();
        while (!run.Finished)
        {
            ct.ThrowIfCancellationRequested();
            var step = run.StepOnDevice(ct);
            progress.Add(step);
            _emit(new OneShotStepped(DateTimeOffset.UtcNow, step, run));
        }
        var (candidate, outcome) = OneShotResult.Score(run, _components, meter, _options.Seed, progress, elapsed().TotalSeconds, ct);
        var record = new TrialRecord(1, candidate.Architecture.ToJson(), candidate.Hash, [], outcome, FromCache: false);
        _emit(new TrialFinished(DateTimeOffset.UtcNow, record));
        return ([record], $"{_components.OneShot.Name} finished");
    }
}
