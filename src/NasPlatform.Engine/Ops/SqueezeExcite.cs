using NasPlatform.Engine.Export;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasPlatform.Engine.Ops;

/// <summary>Squeeze-and-excitation: channel gates from globally pooled features (1x1 convs with bias).</summary>
public sealed record SqueezeExcite(int Channels, int Reduced) : IOp
{
    public string Kind => "se";

    public FeatureShape Output(FeatureShape input) => input;

    public OpCost Cost(FeatureShape input)
    {
        long weights = 2L * Channels * Reduced;
        return new OpCost(weights + Reduced + Channels, weights);
    }

    public Module<Tensor, Tensor> Build() => new SqueezeExciteModule(Channels, Reduced);

    public string Emit(OnnxGraph g, string prefix, string input, FeatureShape shape)
    {
        string Name(string part) => OnnxGraph.Join(prefix, part);
        var s = g.Node("GlobalAveragePool", Name("pool"), [input]);
        s = g.Node("Conv", Name("reduce"), [s, g.Weight(Name("reduce.weight")), g.Weight(Name("reduce.bias"))], OnnxGraph.ConvAttributes(1, 1, 1));
        s = g.Node("Relu", Name("relu"), [s]);
        s = g.Node("Conv", Name("expand"), [s, g.Weight(Name("expand.weight")), g.Weight(Name("expand.bias"))], OnnxGraph.ConvAttributes(1, 1, 1));
        s = g.Node("Sigmoid", Name("gate"), [s]);
        return g.Node("Mul", Name("scale"), [input, s]);
    }

    private sealed class SqueezeExciteModule : Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Conv2d reduce;
        private readonly TorchSharp.Modules.Conv2d expand;

        public SqueezeExciteModule(int channels, int reduced) : base("SqueezeExcitation")
        {
            reduce = Conv2d(channels, reduced, 1);
            expand = Conv2d(reduced, channels, 1);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var s = x.mean([2, 3], keepdim: true);
            s = functional.relu(reduce.call(s));
            s = functional.sigmoid(expand.call(s));
            return (x * s).MoveToOuterDisposeScope();
        }
    }
}
