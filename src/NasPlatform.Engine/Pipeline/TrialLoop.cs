using System.Diagnostics;
using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Strategies;
using NasPlatform.Engine.Strategies.MultiFidelity;
using NasPlatform.Engine.Training;

namespace NasPlatform.Engine.Pipeline;

/// <summary>
/// The CLI's trial loop: propose, predict latency (skip what a hard budget rules out), train at the
/// proposal's fidelity (a multi-fidelity strategy's rung), stop hopeless curves early when asked,
/// score, report, checkpoint. The platform's coordinator and trial jobs take the same steps.
/// </summary>
/// <param name="sizeFor">The user's strategy options sized for a budget of N trials; under a time budget the strategy is sized
/// again from the first trials' pace (see <see cref="IBudgetSized"/>).</param>
internal sealed class TrialLoop(SearchComponents components, SearchOptions options, IPerformanceEstimator estimator, LatencyGate gate,
    Action<SearchEvent> emit, SearchCheckpoint? resume, Func<TimeSpan> elapsed, Func<int, StrategyOptions>? sizeFor = null)
{
    /// <summary>Trials run before a time budget is turned into a trial budget: enough for a pace, before a population of 4 fills.</summary>
    public const int SizingTrials = 4;

    /// <summary>The trial budget the strategy was sized for from the time budget, when it was (this run).</summary>
    public int? SizedFor { get; private set; }

    public (List<TrialRecord> Trials, string StopReason) Run(CancellationToken ct)
    {
        var evaluator = new TrialEvaluator(components, estimator, options.Seed);
        var trials = new List<TrialRecord>(resume?.Trials ?? []);
        using var strategy = components.CreateStrategy(options.Seed);
        if (resume is not null) strategy.LoadState(resume.StrategyState);
        var multiFidelity = strategy as IMultiFidelityStrategy;
        static string Key(string hash, int? rung) => TrialFidelity.Key(hash, rung);
        var known = trials.Where(t => !t.FromCache && !t.Failed).ToDictionary(t => Key(t.ArchitectureHash, t.Fidelity?.Rung), t => t.Outcome);
        var measured = new HashSet<string>(StringComparer.Ordinal);
        var stopping = options.EarlyStopping == SearchOptions.MedianEarlyStopping ? new MedianStopping() : null;
        foreach (var t in trials.Where(t => !t.FromCache && !t.Failed))
        {
            // A resumed search calibrates the predictor on what it measured before.
            if (measured.Add(t.ArchitectureHash)) gate.Predictor.Observe(LatencyObservation.Of(components.Parse(t.ArchitectureJson).Graph, t.LatencyMs));
            stopping?.Completed(t.Outcome.History);
        }
        for (int trial = trials.Count + 1; trial <= options.MaxTrials; trial++)
        {
            ct.ThrowIfCancellationRequested();
            // At least one trial runs, so a search always ends with a model.
            if (options.SearchMinutes is { } minutes && trials.Count > 0 && elapsed().TotalMinutes >= minutes)
                return (trials, $"time budget of {minutes:0.##} min reached");
            var proposal = evaluator.Propose(strategy, h => known.GetValueOrDefault(Key(h, multiFidelity?.LastRung)));
            var fidelity = multiFidelity is null ? null
                : TrialFidelity.ForRung(multiFidelity.LastRung, multiFidelity.RungBudget(multiFidelity.LastRung), options.ProxyEpochs);
            void Report(double? reward)
            {
                if (multiFidelity is not null) multiFidelity.Report(proposal.Choices, fidelity!.Rung, reward ?? 0);
                else TrialEvaluator.Report(strategy, proposal.Choices, reward);
            }
            emit(new TrialStarted(DateTimeOffset.UtcNow, trial, proposal.Candidate));
            var c = proposal.Candidate;
            TrialRecord record;
            if (proposal.Known is { } outcome)
            {
                record = new TrialRecord(trial, c.Architecture.ToJson(), c.Hash, proposal.Choices, outcome with { Seconds = 0 }, FromCache: true, Fidelity: fidelity);
            }
            else if (gate.Predict(c, ct) is var predicted && gate.SkipReason(predicted, trials.Any(x => !x.Failed)) is { } skip)
            {
                Report(null);
                record = new TrialRecord(trial, c.Architecture.ToJson(), c.Hash, proposal.Choices, TrialOutcome.Failed(0), FromCache: false,
                    Error: skip, PredictedLatencyMs: predicted, Skipped: true, Fidelity: fidelity);
            }
            else
            {
                int number = trial;
                var started = Stopwatch.StartNew();
                var curve = new List<EpochReport>();
                try
                {
                    var result = evaluator.Evaluate(c, r =>
                    {
                        emit(new EpochFinished(DateTimeOffset.UtcNow, number, r));
                        curve.Add(r);
                        if (stopping?.ShouldStop(curve) == true) throw new StopTrainingEarly();
                    }, ct, fidelity);
                    Report(result.Reward);
                    record = new TrialRecord(trial, c.Architecture.ToJson(), c.Hash, proposal.Choices, result, FromCache: false,
                        PredictedLatencyMs: predicted, Fidelity: fidelity);
                    known[Key(c.Hash, fidelity?.Rung)] = result;
                    stopping?.Completed(result.History);
                    if (measured.Add(c.Hash)) gate.Observe(c, result.Latency.MedianMs);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // As on the platform: the trial is recorded as failed, the strategy learns reward 0, the search goes on.
                    Report(null);
                    record = new TrialRecord(trial, c.Architecture.ToJson(), c.Hash, proposal.Choices, TrialOutcome.Failed(started.Elapsed.TotalSeconds),
                        FromCache: false, Error: e.Message, PredictedLatencyMs: predicted, Fidelity: fidelity);
                }
            }
            trials.Add(record);
            if (trials.Count == SizingTrials) SizeFromPace(strategy, trials.Count);
            emit(new TrialFinished(DateTimeOffset.UtcNow, record));
            emit(new CheckpointReady(DateTimeOffset.UtcNow, new SearchCheckpoint(SearchCheckpoint.CurrentVersion, options.Space,
                options.Strategy, options.Seed, strategy.SaveState(), trials.ToList(), elapsed().TotalSeconds)));
            // After the checkpoint, so the search can be resumed once the cause is fixed.
            if (record.Failed && FailurePolicy.StopReason(trials.Select(t => new FailurePolicy.Finished(t.Failed, t.Skipped, t.FromCache, t.Error))) is { } stop)
                throw new SearchStoppedException(stop);
        }
        return (trials, "trial budget reached");
    }

    /// <summary>The trials the time budget holds at the pace so far (never more than the trial cap), and the strategy sized for them.</summary>
    private void SizeFromPace(ISearchStrategy strategy, int done)
    {
        if (sizeFor is null || options.SearchMinutes is not { } budget || strategy is not IBudgetSized sized) return;
        double spent = elapsed().TotalMinutes, perTrial = spent / done;
        if (!(perTrial > 0)) return;
        int estimate = (int)Math.Clamp(done + Math.Floor((budget - spent) / perTrial), done, options.MaxTrials);
        sized.SizeFor(sizeFor(estimate));
        SizedFor = estimate;
    }
}

/// <summary>The search cannot usefully go on (see <see cref="FailurePolicy"/>); its checkpoint is written.</summary>
public sealed class SearchStoppedException(string message) : Exception(message);
