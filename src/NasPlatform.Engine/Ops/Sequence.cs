using NasPlatform.Engine.Export;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasPlatform.Engine.Ops;

/// <summary>Named ops applied in order (a TorchSharp Sequential with the same names).</summary>
public sealed record Sequence(IReadOnlyList<(string Name, IOp Op)> Ops) : IOp
{
    public string Kind => "sequence";

    public FeatureShape Output(FeatureShape input) => Ops.Aggregate(input, (shape, op) => op.Op.Output(shape));

    public OpCost Cost(FeatureShape input)
    {
        var total = default(OpCost);
        foreach (var (_, op) in Ops)
        {
            total += op.Cost(input);
            input = op.Output(input);
        }
        return total;
    }

    public Module<Tensor, Tensor> Build() => Sequential(Ops.Select(o => (o.Name, o.Op.Build())).ToList());

    public string Emit(OnnxGraph g, string prefix, string input, FeatureShape shape)
    {
        foreach (var (name, op) in Ops)
        {
            input = op.Emit(g, OnnxGraph.Join(prefix, name), input, shape);
            shape = op.Output(shape);
        }
        return input;
    }
}
