using System.Diagnostics;
using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Objectives;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Training;

namespace NasPlatform.Engine.OneShot;

/// <summary>
/// Turns a finished one-shot run into a trial outcome like any other: the derived architecture is
/// measured on this device and scored by the search's objective, so the final training, the best-trial
/// rule and the pages need no special case.
/// </summary>
public static class OneShotResult
{
    public static (Candidate Candidate, TrialOutcome Outcome) Score(IOneShotRun run, SearchComponents components, LatencyMeter meter,
        long searchSeed, IReadOnlyList<OneShotProgress> progress, double seconds, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var (architecture, metric) = run.Derive();
        var candidate = components.Candidate(architecture);
        using var network = candidate.Build(TrialEvaluator.TrialSeed(searchSeed, candidate.Hash));
        var latency = meter.Measure(candidate, network, ct);
        var cost = candidate.Cost;
        var score = components.Objective.Score(new ObjectiveInput(metric, latency.MedianMs, cost, candidate.Graph));
        var history = progress.Select(p => p.ToEpochReport()).ToList();
        return (candidate, new TrialOutcome(metric, latency, cost, score, history, seconds + clock.Elapsed.TotalSeconds));
    }
}
