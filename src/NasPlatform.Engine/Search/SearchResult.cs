using NasPlatform.Engine.Latency;
using NasPlatform.Engine.SearchSpace;
using NasPlatform.Engine.Training;

namespace NasPlatform.Engine.Search;

/// <summary>One evaluated architecture: proxy-trained accuracy on the validation split and measured latency.</summary>
public sealed record TrialRecord(
    int Trial,
    MnasArchitecture Architecture,
    int[] Choices,
    double ValidationAccuracy,
    LatencyStats Latency,
    long Parameters,
    long MultiplyAdds,
    double Reward,
    IReadOnlyList<EpochReport> History,
    double Seconds,
    bool FromCache)
{
    public double LatencyMs => Latency.MedianMs;
}

/// <summary>The best architecture retrained at full fidelity and evaluated once on the test split.</summary>
public sealed record FinalModel(
    TrialRecord Selected,
    double TestAccuracy,
    double TestLoss,
    LatencyStats Latency,
    double Reward,
    IReadOnlyList<EpochReport> History,
    double TrainSeconds,
    MnasNetwork Network);

public sealed record SearchResult(
    IReadOnlyList<TrialRecord> Trials,
    IReadOnlyList<int> ParetoTrials,
    FinalModel Final,
    double Seconds,
    string StopReason);
