using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Objectives;
using NasPlatform.Engine.Training;
using static TorchSharp.torch;

namespace NasPlatform.Engine.Pipeline;

/// <summary>One evaluated architecture (its JSON as the space wrote it) and what it produced; a failed one has its <paramref name="Error"/> and a zero outcome.</summary>
/// <param name="PredictedLatencyMs">The latency predicted before training; <paramref name="Skipped"/> when that was well over a hard budget
/// and the trial was not trained (it then counts as failed, with the reason as its error).</param>
public sealed record TrialRecord(int Trial, string ArchitectureJson, string ArchitectureHash, int[] Choices, TrialOutcome Outcome, bool FromCache,
    string? Error = null, double? PredictedLatencyMs = null, bool Skipped = false, TrialFidelity? Fidelity = null)
{
    public bool Failed => Error is not null;

    public double Reward => Outcome.Reward;
    public double ValidationMetric => Outcome.ValidationMetric;
    public double LatencyMs => Outcome.Latency.MedianMs;
    public long Parameters => Outcome.Cost.Parameters;
    public long MultiplyAdds => Outcome.Cost.MultiplyAdds;
    public double Seconds => Outcome.Seconds;
}

/// <summary>The selected architecture retrained at full fidelity and evaluated once on the test split, with the recipe it was
/// trained by, whether it keeps the latency budget, its ONNX export and its PyTorch source.</summary>
public sealed record FinalModel(
    Evaluation Test,
    LatencyStats Latency,
    TrialScore Score,
    IReadOnlyList<EpochReport> History,
    double TrainSeconds,
    nn.Module<Tensor, Tensor> Network,
    TrainingRecipe Recipe,
    BudgetCheck Budget,
    Export.OnnxExportResult Onnx,
    Export.PyTorchSource PyTorch)
{
    public double Reward => Score.Reward;
}

/// <param name="Options">The options as the search ran with them (budget-relative strategy sizes filled in).</param>
/// <param name="Metric">The task's primary metric, the one ValidationMetric and the test metric are.</param>
public sealed record SearchResult(
    SearchOptions Options,
    string Metric,
    IReadOnlyList<TrialRecord> Trials,
    IReadOnlyList<int> ParetoTrials,
    TrialRecord Selected,
    FinalModel Final,
    double Seconds,
    string StopReason,
    IReadOnlyList<Zoo.BaselineResult> Baselines,
    LatencyPredictorReport? Predictor = null,
    IReadOnlyList<FinalistCheck>? Finalists = null);

/// <summary>How well latency was known before training: measured trials it was calibrated on, table entries, held-out accuracy.</summary>
public sealed record LatencyPredictorReport(int Observations, int TableEntries, double? HeldOutWithin10Percent, int Skipped);
