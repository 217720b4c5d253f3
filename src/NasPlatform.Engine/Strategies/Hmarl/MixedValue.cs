namespace NasPlatform.Engine.Strategies.Hmarl;

/// <summary>
/// hQmix's value for one-step episodes: each agent's value is the mean of the table entries its action
/// touches, and the team's value mixes them with non-negative weights (softplus of free parameters) plus
/// a bias, Q_tot = sum_g softplus(m_g) Q_g + b. Monotonic mixing (QMIX) means each agent's greedy action
/// is the team's greedy action, so agents can act on their own tables. Trained on the team's reward by
/// normalized least-mean-squares steps, which move Q_tot a fixed fraction of the way to the target
/// whatever the number of agents and entries.
/// </summary>
internal sealed class MixedValue
{
    public MixedValue(int entries, int agents)
    {
        Table = new double[entries];
        // softplus(0.5413) = 1: agents start summed (VDN), the mixer learns to weigh them.
        Mix = Enumerable.Repeat(0.5413, agents).ToArray();
    }

    public double[] Table { get; private set; }

    public double[] Mix { get; private set; }

    public double Bias { get; private set; }

    public double Agent(IReadOnlyList<int> entries)
    {
        double sum = 0;
        foreach (int e in entries) sum += Table[e];
        return sum / entries.Count;
    }

    public double Total(IReadOnlyList<int[]> entries)
    {
        double total = Bias;
        for (int g = 0; g < entries.Count; g++) total += Softplus(Mix[g]) * Agent(entries[g]);
        return total;
    }

    /// <summary>One step of 1/2 (Q_tot - target)^2 on one episode: entries touched per agent, and the team's target.</summary>
    public void Step(IReadOnlyList<int[]> entries, double target, double rate)
    {
        double error = Total(entries) - target;
        // |grad Q_tot|^2 over every parameter: the bias, each agent's mixing weight and its table entries.
        double norm = 1;
        for (int g = 0; g < entries.Count; g++)
        {
            double w = Softplus(Mix[g]), n = entries[g].Length;
            double dMix = Sigmoid(Mix[g]) * Agent(entries[g]);
            norm += dMix * dMix + w * w / n;
        }
        double step = rate * error / norm;
        Bias -= step;
        for (int g = 0; g < entries.Count; g++)
        {
            double w = Softplus(Mix[g]), dMix = Sigmoid(Mix[g]) * Agent(entries[g]);
            foreach (int e in entries[g]) Table[e] -= step * w / entries[g].Length;
            Mix[g] -= step * dMix;
        }
    }

    public State Save() => new() { Table = [.. Table], Mix = [.. Mix], Bias = Bias };

    public void Load(State state)
    {
        if (state.Table.Length != Table.Length || state.Mix.Length != Mix.Length) throw new ArgumentException("The saved values were made for other agents.");
        (Table, Mix, Bias) = ([.. state.Table], [.. state.Mix], state.Bias);
    }

    private static double Softplus(double x) => x > 20 ? x : Math.Log(1 + Math.Exp(x));

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    public sealed class State
    {
        public double[] Table { get; set; } = [];
        public double[] Mix { get; set; } = [];
        public double Bias { get; set; }
    }
}
