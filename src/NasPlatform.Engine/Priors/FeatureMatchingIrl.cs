namespace NasPlatform.Engine.Priors;

/// <summary>
/// Inverse reinforcement learning of a linear reward r(s) = w . phi(s) by feature-expectation matching
/// (Abbeel and Ng 2004, as IRLAS uses it), resolved by the maximum-entropy principle (Ziebart et al.
/// 2008) so the weights are unique: among the distributions p_w(s) proportional to exp(w . phi(s)) over
/// the agent's states, find the one whose feature expectation equals the expert's. That is the concave
/// problem max_w w . mu_E - log mean_s exp(w . phi(s)) - lambda/2 |w|^2, whose gradient is exactly the
/// feature-expectation gap mu_E - E_p[phi] - lambda w; solved by Newton's method (a handful of features).
/// The ridge term keeps the weights finite when the expert sits at the edge of what the agent reaches.
/// </summary>
public static class FeatureMatchingIrl
{
    /// <param name="expert">The expert's states' features (one row per state; their mean is mu_E).</param>
    /// <param name="agent">States the agent reaches (the base measure p_w reweights).</param>
    /// <param name="ridge">lambda, in the units of features standardized over the agent's states.</param>
    /// <returns>w, in the features' own units (a feature constant over the agent's states gets 0).</returns>
    public static double[] Fit(IReadOnlyList<double[]> expert, IReadOnlyList<double[]> agent, double ridge = 1e-3, int maxIterations = 100)
    {
        if (expert.Count == 0 || agent.Count == 0) throw new ArgumentException("Inverse RL needs expert and agent states.");
        int f = agent[0].Length;
        if (expert.Concat(agent).Any(x => x.Length != f)) throw new ArgumentException("Every state needs the same features.");

        // Standardized over the agent's states, so one ridge and one Newton scale suit every feature.
        var mean = new double[f];
        var scale = new double[f];
        for (int j = 0; j < f; j++)
        {
            mean[j] = agent.Average(x => x[j]);
            double sd = Math.Sqrt(agent.Average(x => (x[j] - mean[j]) * (x[j] - mean[j])));
            scale[j] = sd > 1e-9 ? 1 / sd : 0;
        }
        double[] Z(double[] x) => [.. x.Select((v, j) => (v - mean[j]) * scale[j])];
        var states = agent.Select(Z).ToArray();
        var target = new double[f];
        foreach (var e in expert.Select(Z))
            for (int j = 0; j < f; j++) target[j] += e[j] / expert.Count;

        var w = new double[f];
        double value = Objective(w, states, target, ridge, out var gradient, out var hessian);
        for (int iteration = 0; iteration < maxIterations && Norm(gradient) > 1e-10; iteration++)
        {
            var step = Cholesky.Solve(hessian, gradient);
            // Backtracking keeps every step an ascent step, which plain Newton does not promise far from the optimum.
            double t = 1;
            double[] next;
            double nextValue;
            while (true)
            {
                next = [.. w.Select((v, j) => v + t * step[j])];
                nextValue = Objective(next, states, target, ridge, out var g, out var h);
                if (nextValue >= value - 1e-12 || t < 1e-8)
                {
                    gradient = g;
                    hessian = h;
                    break;
                }
                t /= 2;
            }
            bool converged = nextValue - value < 1e-12;
            (w, value) = (next, nextValue);
            if (converged) break;
        }
        return [.. w.Select((v, j) => v * scale[j])];
    }

    /// <summary>The objective, its gradient (the feature-expectation gap) and the negated Hessian (covariance under p_w plus the ridge).</summary>
    private static double Objective(double[] w, double[][] states, double[] target, double ridge, out double[] gradient, out double[,] hessian)
    {
        int f = w.Length, n = states.Length;
        var scores = states.Select(s => Dot(w, s)).ToArray();
        double max = scores.Max();
        var p = scores.Select(s => Math.Exp(s - max)).ToArray();
        double sum = p.Sum();
        for (int i = 0; i < n; i++) p[i] /= sum;
        double logMeanExp = max + Math.Log(sum / n);

        var expected = new double[f];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < f; j++) expected[j] += p[i] * states[i][j];
        gradient = new double[f];
        hessian = new double[f, f];
        for (int j = 0; j < f; j++) gradient[j] = target[j] - expected[j] - ridge * w[j];
        for (int i = 0; i < n; i++)
            for (int a = 0; a < f; a++)
            {
                double da = states[i][a] - expected[a];
                for (int b = 0; b <= a; b++) hessian[a, b] += p[i] * da * (states[i][b] - expected[b]);
            }
        for (int a = 0; a < f; a++)
        {
            for (int b = 0; b < a; b++) hessian[b, a] = hessian[a, b];
            hessian[a, a] += ridge;
        }
        return Dot(w, target) - logMeanExp - ridge / 2 * Dot(w, w);
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    private static double Norm(double[] a) => Math.Sqrt(Dot(a, a));

    private static class Cholesky
    {
        /// <summary>Solves A x = b for a symmetric positive definite A.</summary>
        public static double[] Solve(double[,] a, double[] b)
        {
            int n = b.Length;
            var l = new double[n, n];
            for (int i = 0; i < n; i++)
                for (int j = 0; j <= i; j++)
                {
                    double s = a[i, j];
                    for (int k = 0; k < j; k++) s -= l[i, k] * l[j, k];
                    l[i, j] = i == j ? Math.Sqrt(Math.Max(s, 1e-12)) : s / l[j, j];
                }
            var y = new double[n];
            for (int i = 0; i < n; i++)
            {
                double s = b[i];
                for (int k = 0; k < i; k++) s -= l[i, k] * y[k];
                y[i] = s / l[i, i];
            }
            var x = new double[n];
            for (int i = n - 1; i >= 0; i--)
            {
                double s = y[i];
                for (int k = i + 1; k < n; k++) s -= l[k, i] * x[k];
                x[i] = s / l[i, i];
            }
            return x;
        }
    }
}
