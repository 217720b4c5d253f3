using NasPlatform.Engine.Ops.Cells;
using NasPlatform.Engine.Spaces.Darts;
using static TorchSharp.torch;

namespace NasPlatform.Engine.OneShot.Darts;

/// <summary>
/// Turns alpha into a discrete cell as DARTS does: for each node keep the two incoming edges whose
/// strongest non-zero op has the largest weight, and on each kept edge that op (PC-DARTS: the op
/// weights times the edge's weight).
/// </summary>
public static class DartsGenotype
{
    /// <param name="alpha">Edges x ops, columns in <see cref="CellOps.Names"/> order (softmax is taken here).</param>
    /// <param name="beta">PC-DARTS's edge parameters (softmax over a node's inputs), which scale the op weights before edges are ranked; null for none.</param>
    public static IReadOnlyList<DartsEdge> Derive(Tensor alpha, Tensor? beta = null)
    {
        return Derive(alpha, beta, DartsArchitecture.Nodes);
    }

    /// <summary>The cell of <paramref name="nodes"/> nodes that alpha (edges x ops) derives.</summary>
    public static IReadOnlyList<DartsEdge> Derive(Tensor alpha, Tensor? beta, int nodes)
    {
        var weights = Weights(alpha);
        if (beta is not null)
        {
            var edges = EdgeWeights(beta);
            for (int e = 0; e < weights.Length; e++)
                for (int k = 0; k < weights[e].Length; k++) weights[e][k] *= edges[e];
        }
        return Derive(weights, nodes);
    }

    /// <summary>softmax(beta) over each node's incoming edges as plain numbers.</summary>
    public static double[] EdgeWeights(Tensor beta)
    {
        using var scope = NewDisposeScope();
        return DartsOptimizer.EdgeWeights(beta.detach().to(CPU).to_type(ScalarType.Float64)).data<double>().ToArray();
    }

    /// <summary>softmax(alpha) per edge as plain numbers, [edge][op].</summary>
    public static double[][] Weights(Tensor alpha)
    {
        using var scope = NewDisposeScope();
        var w = nn.functional.softmax(alpha.detach().to(CPU).to_type(ScalarType.Float64), -1);
        int edges = (int)w.shape[0], ops = (int)w.shape[1];
        var values = w.data<double>().ToArray();
        return Enumerable.Range(0, edges).Select(e => values.AsSpan(e * ops, ops).ToArray()).ToArray();
    }

    /// <param name="weights">[edge][op] for a cell of <paramref name="nodes"/> nodes (edges node by node).</param>
    public static IReadOnlyList<DartsEdge> Derive(double[][] weights, int nodes = DartsArchitecture.Nodes)
    {
        int none = 0;
        if (CellOps.Names[none] != CellOps.None) throw new InvalidOperationException("The zero op must be the first column of alpha.");
        var genes = new List<DartsEdge>();
        int start = 0;
        for (int node = 0; node < nodes; node++)
        {
            int inputs = node + 2;
            int Best(int edge) => Enumerable.Range(1, weights[edge].Length - 1).MaxBy(k => weights[edge][k]);
            var kept = Enumerable.Range(0, inputs).OrderByDescending(j => weights[start + j][Best(start + j)]).ThenBy(j => j).Take(2).Order();
            foreach (var j in kept) genes.Add(new DartsEdge(CellOps.Names[Best(start + j)], j));
            start += inputs;
        }
        return genes;
    }
}
