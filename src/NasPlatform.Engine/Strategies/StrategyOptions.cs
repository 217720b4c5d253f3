namespace NasPlatform.Engine.Strategies;

/// <summary>
/// Tunables of every strategy in one record, so the CLI and the run configuration can carry a single
/// object; each strategy reads only its own fields. Defaults follow the papers.
/// </summary>
public sealed record StrategyOptions
{
    /// <summary>Random search: how many times to redraw a vector that was already proposed.</summary>
    public int MaxDuplicateRetries { get; init; } = 100;

    /// <summary>Regularized evolution: population size P (Real et al. 2019).</summary>
    public int PopulationSize { get; init; } = 20;

    /// <summary>Regularized evolution: tournament sample size S.</summary>
    public int SampleSize { get; init; } = 5;

    /// <summary>MnasNet RL: LSTM hidden units.</summary>
    public int HiddenSize { get; init; } = 64;

    /// <summary>MnasNet RL: size of the embedding that feeds the previous choice back into the LSTM.</summary>
    public int EmbeddingSize { get; init; } = 32;

    /// <summary>MnasNet RL: Adam learning rate.</summary>
    public double LearningRate { get; init; } = 5e-4;

    /// <summary>MnasNet RL: results collected before one PPO update.</summary>
    public int BatchSize { get; init; } = 5;

    /// <summary>MnasNet RL: optimization epochs over each batch.</summary>
    public int PpoEpochs { get; init; } = 4;

    /// <summary>MnasNet RL: PPO clipping range epsilon.</summary>
    public double ClipEpsilon { get; init; } = 0.2;

    /// <summary>MnasNet RL: weight of the entropy bonus (keeps the policy from collapsing early).</summary>
    public double EntropyWeight { get; init; } = 1e-3;

    /// <summary>MnasNet RL: decay of the exponential moving average reward baseline.</summary>
    public double BaselineDecay { get; init; } = 0.95;

    /// <summary>MnasNet RL: controller weights start uniform in [-InitRange, InitRange].</summary>
    public double InitRange { get; init; } = 0.1;

    public void Validate()
    {
        static void Check(bool ok, string what)
        {
            if (!ok) throw new ArgumentException($"Invalid strategy option: {what}.");
        }

        Check(MaxDuplicateRetries >= 0, "MaxDuplicateRetries must be >= 0");
        Check(PopulationSize >= 1, "PopulationSize must be >= 1");
        Check(SampleSize >= 1, "SampleSize must be >= 1");
        Check(HiddenSize >= 1, "HiddenSize must be >= 1");
        Check(EmbeddingSize >= 1, "EmbeddingSize must be >= 1");
        Check(LearningRate > 0 && double.IsFinite(LearningRate), "LearningRate must be > 0");
        Check(BatchSize >= 1, "BatchSize must be >= 1");
        Check(PpoEpochs >= 1, "PpoEpochs must be >= 1");
        Check(ClipEpsilon > 0 && ClipEpsilon < 1, "ClipEpsilon must be in (0, 1)");
        Check(EntropyWeight >= 0 && double.IsFinite(EntropyWeight), "EntropyWeight must be >= 0");
        Check(BaselineDecay >= 0 && BaselineDecay < 1, "BaselineDecay must be in [0, 1)");
        Check(InitRange > 0 && double.IsFinite(InitRange), "InitRange must be > 0");
    }
}
