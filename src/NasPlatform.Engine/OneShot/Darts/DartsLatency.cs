using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Objectives;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Ops.Cells;
using NasPlatform.Engine.Spaces.Darts;
using TorchSharp;
using static TorchSharp.torch;

namespace NasPlatform.Engine.OneShot.Darts;

/// <summary>
/// The latency a DARTS supernet's alpha stands for, from the device's per-layer latency table (as
/// latency-aware DARTS variants and FBNet do): a fixed part (stem, preprocessing, head, per-call
/// overhead) plus, per edge, the op-weighted latency of its ops summed over the cells of its type,
/// times the share of a node's inputs the derived cell keeps (2 of 2-5). The zero op is left out
/// of the weighting: derivation never keeps it, so pushing weight onto it must not look faster.
/// </summary>
/// <param name="FixedMs">Latency that alpha does not change.</param>
/// <param name="Normal">Edges x ops: each op's latency on the edge summed over all normal cells (ms, the zero op 0).</param>
/// <param name="Reduce">The same for the reduction cells.</param>
/// <param name="Weight">Multiplies the term (1: exactly the search's reward exponent).</param>
public sealed record DartsLatency(double FixedMs, double[][] Normal, double[][] Reduce, double BudgetMs, LatencyConstraint Constraint, double Weight)
{
    /// <summary>How many of an edge's node's inputs a derived cell keeps: 2 of node + 2.</summary>
    public static double Kept(int edge)
    {
        for (int node = 0, start = 0; node < DartsArchitecture.Nodes; start += node + 2, node++)
            if (edge < start + node + 2) return 2.0 / (node + 2);
        throw new ArgumentOutOfRangeException(nameof(edge));
    }

    /// <summary>Expected latency (ms) of the network the op weights (edges x ops, rows summing to 1) stand for; differentiable in them.</summary>
    public Tensor Expected(Tensor normalWeights, Tensor reduceWeights)
    {
        var (dtype, device) = (normalWeights.dtype, normalWeights.device);
        Tensor Part(Tensor w, double[][] ms)
        {
            var table = tensor(ms.SelectMany(r => r).ToArray(), [ms.Length, ms[0].Length], dtype: dtype, device: device);
            var kept = tensor(Enumerable.Range(0, ms.Length).Select(Kept).ToArray(), dtype: dtype, device: device);
            var real = w.narrow(1, 1, w.shape[1] - 1);
            var perEdge = (real * table.narrow(1, 1, table.shape[1] - 1)).sum(1) / real.sum(1);
            return (perEdge * kept).sum();
        }
        return Part(normalWeights, Normal) + Part(reduceWeights, Reduce) + FixedMs;
    }

    /// <summary>MnasNet's reward ACC x (LAT / T)^w as a loss next to cross-entropy (which stands for -log ACC): -w log(E[LAT] / T),
    /// w the soft or hard exponent for the side of the budget E[LAT] is on, times <see cref="Weight"/>.</summary>
    public Tensor Loss(Tensor normalWeights, Tensor reduceWeights)
    {
        var expected = Expected(normalWeights, reduceWeights);
        var (alpha, beta) = MnasReward.Exponents(Constraint);
        double w = expected.ToDouble() <= BudgetMs ? alpha : beta;
        return -w * Weight * (expected / BudgetMs).log();
    }

    /// <summary>The table's latency of a discrete genotype in this network.</summary>
    public double Of(IReadOnlyList<DartsEdge> normal, IReadOnlyList<DartsEdge> reduce)
    {
        // A genotype keeps two edges per node: (node, from) -> edge index in the supernet's order.
        double Cell(IReadOnlyList<DartsEdge> genes, double[][] ms)
        {
            double sum = 0;
            for (int node = 0, start = 0; node < DartsArchitecture.Nodes; start += node + 2, node++)
                for (int k = 0; k < 2; k++)
                {
                    var gene = genes[2 * node + k];
                    sum += ms[start + gene.From][CellOps.Names.ToList().IndexOf(gene.Op)];
                }
            return sum;
        }
        return FixedMs + Cell(normal, Normal) + Cell(reduce, Reduce);
    }

    /// <summary>
    /// Builds the term for a space's network on a device: every layer of the stem, the preprocessing and
    /// every op on every edge of every cell looked up in the table (measured when missing), calibrated
    /// by measuring a few random genotypes whole (the predictor's scale and overhead), so the figures
    /// are in the unit the search's trials are measured in.
    /// </summary>
    public static DartsLatency Measure(DartsSearchSpace space, Tasks.ITask task, LatencyMeter meter, LatencyTable table, LatencyTarget target,
        double weight, long seed, CancellationToken ct, int calibrationNetworks = 4)
    {
        var micro = new LatencyMeter(meter.Device, LatencyTable.MeterOptions(meter.Options));
        var predictor = new LatencyPredictor(table);
        var random = new Common.SeededRandom(seed);
        var observations = new List<LatencyObservation>();
        for (int i = 0; i < calibrationNetworks; i++)
        {
            var choices = space.Decisions.Decisions.Select(d => random.Next(d.Cardinality)).ToArray();
            var candidate = new Pipeline.Candidate(space.Decode(choices), space.Graph(space.Decode(choices)), task);
            table.Fill(candidate.Graph, micro, ct);
            using var module = candidate.Build(seed + i);
            observations.Add(LatencyObservation.Of(candidate.Graph, meter.Measure(module, candidate.Graph.Input, ct).MedianMs));
        }
        predictor.ObserveAll(observations);

        double Ms(IOp op, FeatureShape input)
        {
            var layers = LatencyLayers.Of(op, input);
            table.Fill(layers, micro, ct);
            return layers.Sum(l => predictor.LayerMs(l.Key));
        }

        var o = space.Options;
        var image = new FeatureShape(space.Input.Image.Channels, space.Input.Image.Height, space.Input.Image.Width);
        var stem = DartsArchitecture.Stem(image.Channels, o.Channels);
        double fixedMs = predictor.Intercept + Ms(stem, image);
        var (s0, s1) = (stem.Output(image), stem.Output(image));
        var normal = Zeros();
        var reduce = Zeros();
        foreach (var plan in DartsArchitecture.Plan(o.Cells, o.Channels))
        {
            var (pre0, pre1) = DartsArchitecture.Preprocess(plan);
            fixedMs += Ms(pre0, s0) + Ms(pre1, s1);
            var state = pre1.Output(s1);
            var nodeShape = plan.Reduction ? state with { Height = (state.Height + 1) / 2, Width = (state.Width + 1) / 2 } : state;
            var into = plan.Reduction ? reduce : normal;
            for (int node = 0, edge = 0; node < DartsArchitecture.Nodes; node++)
                for (int from = 0; from < node + 2; from++, edge++)
                {
                    int stride = plan.Reduction && from < 2 ? 2 : 1;
                    for (int k = 0; k < CellOps.Names.Count; k++)
                        if (CellOps.Create(CellOps.Names[k], plan.Channels, stride) is { } op)
                            into[edge][k] += Ms(op, from < 2 ? state : nodeShape);
                }
            (s0, s1) = (s1, nodeShape with { Channels = DartsArchitecture.Nodes * plan.Channels });
        }
        return new DartsLatency(fixedMs, normal, reduce, target.BudgetMs, target.Constraint, weight);
    }

    private static double[][] Zeros() => Enumerable.Range(0, DartsSupernet.Edges).Select(_ => new double[CellOps.Names.Count]).ToArray();
}
