namespace NasPlatform.Engine.Objectives;

/// <summary>Soft or hard latency constraint (MnasNet, section 3.1).</summary>
public enum LatencyConstraint
{
    /// <summary>alpha = beta = -0.07: doubling latency costs about 5% relative accuracy.</summary>
    Soft,

    /// <summary>alpha = 0, beta = -1: no bonus under the budget, a steep penalty above it.</summary>
    Hard,
}

/// <summary>MnasNet's multi-objective reward ACC(m) * (LAT(m) / T)^w.</summary>
public static class MnasReward
{
    public const double SoftExponent = -0.07;

    public static (double Alpha, double Beta) Exponents(LatencyConstraint constraint) => constraint switch
    {
        LatencyConstraint.Soft => (SoftExponent, SoftExponent),
        LatencyConstraint.Hard => (0.0, -1.0),
        _ => throw new ArgumentOutOfRangeException(nameof(constraint)),
    };

    /// <param name="accuracy">Accuracy in [0, 1].</param>
    /// <param name="latencyMs">Measured latency in milliseconds (&gt; 0).</param>
    /// <param name="targetMs">The user's budget T in milliseconds (&gt; 0).</param>
    public static double Compute(double accuracy, double latencyMs, double targetMs, LatencyConstraint constraint)
    {
        if (!(targetMs > 0)) throw new ArgumentOutOfRangeException(nameof(targetMs), "The latency budget must be positive.");
        if (!(latencyMs > 0)) throw new ArgumentOutOfRangeException(nameof(latencyMs), "A measured latency must be positive.");
        var (alpha, beta) = Exponents(constraint);
        double w = latencyMs <= targetMs ? alpha : beta;
        return accuracy * Math.Pow(latencyMs / targetMs, w);
    }

    public static LatencyConstraint Parse(string value) => value.Trim().ToLowerInvariant() switch
    {
        "soft" => LatencyConstraint.Soft,
        "hard" => LatencyConstraint.Hard,
        _ => throw new ArgumentException($"Unknown latency constraint '{value}': use soft or hard."),
    };
}
