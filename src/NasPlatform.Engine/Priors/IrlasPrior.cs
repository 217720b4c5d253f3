using NasPlatform.Engine.Common;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Topology;

namespace NasPlatform.Engine.Priors;

/// <summary>
/// IRLAS's mirror stimuli function (Guo et al. 2019): a linear reward on topology features, learned by
/// inverse RL so that the distribution it induces over the search space has the expert network's
/// feature expectation. The agent whose states the IRL compares against is the space's uniform
/// distribution, where every strategy starts: the learned function is then fixed for the whole search
/// (the same for every strategy, every worker and a resumed search), unlike IRLAS's agent-tracking one.
/// Its value on an architecture is squashed to (0, 1): 0.5 for a typical architecture of the space,
/// towards 1 as its topology looks more like the expert's.
/// </summary>
public sealed class IrlasPrior
{
    public const string PriorName = "irlas";

    /// <summary>Architectures drawn from the space as the agent's states.</summary>
    public const int Samples = 512;

    /// <summary>The IRL's ridge: enough to keep weights finite when the expert lies beyond the space's range.</summary>
    public const double Ridge = 0.05;

    private readonly double _mean, _sd;

    private IrlasPrior(string expert, double[] expertFeatures, double[] weights, double mean, double sd)
    {
        Expert = expert;
        ExpertFeatures = expertFeatures;
        Weights = weights;
        (_mean, _sd) = (mean, sd);
    }

    /// <summary>The expert network's name (a zoo member, e.g. resnet20-1x).</summary>
    public string Expert { get; }

    public IReadOnlyList<double> ExpertFeatures { get; }

    /// <summary>The mirror stimuli function's weights, one per <see cref="TopologyFeatures.All"/> entry.</summary>
    public IReadOnlyList<double> Weights { get; }

    /// <summary>Learns the weights from the expert's features against <see cref="Samples"/> uniform draws of the space.</summary>
    public static IrlasPrior Fit(ISearchSpace space, string expertName, ArchitectureGraph expert, long seed)
    {
        var rng = new SeededRandom(seed ^ 0x49524C4153L);
        var agent = new List<double[]>(Samples);
        for (int attempt = 0; agent.Count < Samples && attempt < 4 * Samples; attempt++)
        {
            var choices = space.Decisions.Decisions.Select(d => rng.Next(d.Cardinality)).ToArray();
            try
            {
                agent.Add(TopologyFeatures.Of(space.Graph(space.Decode(choices))));
            }
            catch (ArgumentException)
            {
                // A space may refuse a corner it cannot build for this input; the rest still describe it.
            }
        }
        if (agent.Count == 0) throw new ArgumentException($"No architecture of the {space.Name} space could be built to learn the prior from.");
        var expertFeatures = TopologyFeatures.Of(expert);
        var weights = FeatureMatchingIrl.Fit([expertFeatures], agent, Ridge);
        var scores = agent.Select(a => Dot(weights, a)).ToArray();
        double mean = scores.Average();
        double sd = Math.Sqrt(scores.Average(s => (s - mean) * (s - mean)));
        return new IrlasPrior(expertName, expertFeatures, weights, mean, sd > 1e-12 ? sd : 1);
    }

    /// <summary>The mirror stimulus of an architecture, in (0, 1).</summary>
    public double Mirror(ArchitectureGraph graph) => 1 / (1 + Math.Exp(-(Dot(Weights, TopologyFeatures.Of(graph)) - _mean) / _sd));

    private static double Dot(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        double s = 0;
        for (int i = 0; i < a.Count; i++) s += a[i] * b[i];
        return s;
    }
}
