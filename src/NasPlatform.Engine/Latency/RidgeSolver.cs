namespace NasPlatform.Engine.Latency;

/// <summary>
/// Least squares with a ridge penalty on every unknown but the first (an unpenalized intercept that
/// every row has): minimizes |y - c - X w|^2 + lambda |w|^2 by conjugate gradients on the normal
/// equations, working on the sparse rows directly (thousands of networks, hundreds of layer keys).
/// </summary>
public static class RidgeSolver
{
    /// <param name="rows">Per observation: (column, value) pairs for columns 1..n-1; column 0 (the intercept) is implied.</param>
    public static double[] Solve(IReadOnlyList<(int Column, double Value)[]> rows, IReadOnlyList<double> y, int n, double lambda)
    {
        var x = new double[n];
        if (rows.Count == 0) return x;
        // b = X^T y; A v = X^T X v + lambda v (not on the intercept).
        var b = new double[n];
        for (int i = 0; i < rows.Count; i++)
        {
            b[0] += y[i];
            foreach (var (c, v) in rows[i]) b[c] += v * y[i];
        }
        double[] Apply(double[] v)
        {
            var result = new double[n];
            for (int i = 0; i < rows.Count; i++)
            {
                double dot = v[0];
                foreach (var (c, value) in rows[i]) dot += value * v[c];
                result[0] += dot;
                foreach (var (c, value) in rows[i]) result[c] += value * dot;
            }
            for (int j = 1; j < n; j++) result[j] += lambda * v[j];
            return result;
        }
        var r = (double[])b.Clone();
        var p = (double[])r.Clone();
        double rr = Dot(r, r), tolerance = 1e-20 * Math.Max(1, rr);
        for (int iteration = 0; iteration < 4 * n + 20 && rr > tolerance; iteration++)
        {
            var ap = Apply(p);
            double pap = Dot(p, ap);
            if (pap <= 0) break;
            double alpha = rr / pap;
            for (int j = 0; j < n; j++)
            {
                x[j] += alpha * p[j];
                r[j] -= alpha * ap[j];
            }
            double next = Dot(r, r);
            for (int j = 0; j < n; j++) p[j] = r[j] + next / rr * p[j];
            rr = next;
        }
        return x;
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }
}
