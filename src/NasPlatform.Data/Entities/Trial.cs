namespace NasPlatform.Data.Entities;

public enum TrialStatus { Queued, Running, Succeeded, Failed, Cancelled }

/// <summary>One proposed architecture trained at proxy fidelity and measured on the target device.</summary>
public sealed class Trial
{
    public Guid Id { get; set; }
    public Guid SearchId { get; set; }
    public Search? Search { get; set; }

    /// <summary>1-based, in the order the strategy proposed them.</summary>
    public int Number { get; set; }
    public required string ArchitectureJson { get; set; }
    public required string ArchitectureHash { get; set; }

    /// <summary>The strategy's choice vector (JSON array), reported back with the reward.</summary>
    public required string ChoicesJson { get; set; }

    /// <summary>
    /// Set when the architecture was proposed while a trial of it was still queued or running: this one
    /// runs no job, waits for that trial and takes its result (or its failure) when it ends.
    /// </summary>
    public Guid? DuplicateOf { get; set; }

    public int ProxyEpochs { get; set; }
    public double ProxyFraction { get; set; }

    /// <summary>The multi-fidelity rung (hyperband, asha) the trial trained at; its epochs and fraction above are that rung's.</summary>
    public int? Rung { get; set; }

    public TrialStatus Status { get; set; }
    public string? Error { get; set; }
    /// <summary>The task's primary metric (the search's Metric) on the validation split.</summary>
    public double? ValidationMetric { get; set; }
    public double? LatencyMs { get; set; }

    /// <summary>The latency predicted before training; with <see cref="Skipped"/> the trial was not trained because
    /// that was well over a hard budget (it is then failed, with the reason as its error).</summary>
    public double? PredictedLatencyMs { get; set; }
    public bool Skipped { get; set; }

    /// <summary>Latency statistics (JSON): median, P10/P90, runs, threads, device.</summary>
    public string? LatencyJson { get; set; }
    public long Parameters { get; set; }
    public long Macs { get; set; }
    public double? Reward { get; set; }

    /// <summary>The objective's terms behind the reward (JSON object), e.g. metric and latency factor.</summary>
    public string? RewardTermsJson { get; set; }

    /// <summary>Per-epoch history (JSON array of epoch reports), appended as epochs finish.</summary>
    public string HistoryJson { get; set; } = "[]";

    /// <summary>The epoch after which the early-stopping rule ended its proxy training (null = it trained to the end).</summary>
    public int? StoppedAtEpoch { get; set; }

    /// <summary>Re-proposed architecture: results copied from the earlier trial, not retrained.</summary>
    public bool FromCache { get; set; }

    /// <summary>The result has been reported to the strategy.</summary>
    public bool Reported { get; set; }
    public string? Worker { get; set; }

    /// <summary>The job that owns the trial: only its executions (Hangfire's re-run after a worker died) may work on it.</summary>
    public string? JobId { get; set; }

    /// <summary>How many times a worker started it (more than 1 after a worker died mid-trial).</summary>
    public int Attempts { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public double? Seconds { get; set; }

    public bool IsFinished => Status is TrialStatus.Succeeded or TrialStatus.Failed or TrialStatus.Cancelled;
}
