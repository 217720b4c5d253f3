using NasPlatform.Engine.Export;
using NasPlatform.Engine.Ops.Cells;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasPlatform.Engine.Ops.Dense;

/// <summary>
/// DeepLab v3's atrous spatial pyramid pooling (Chen et al. 2017), the head Auto-DeepLab puts on its network: a 1 x 1
/// branch, a 3 x 3 branch per atrous rate and an image-pooling branch (global mean, 1 x 1, spread back over the map), each
/// to <see cref="Out"/> channels, concatenated and projected by a 1 x 1. Branches are pre-activated (ReLU, conv, BN) like
/// the cell ops whose concatenated output they read; the pooled branch has no batch norm, which a single image's 1 x 1
/// map would break in training.
/// </summary>
public sealed record Aspp(int In, int Out, IReadOnlyList<int> Rates) : IOp
{
    public string Kind => "aspp";

    /// <summary>Rates for a feature map of this size: r and 2r with r a quarter of its side (DeepLab's 6/12/18 are for 33 x 33 maps).</summary>
    public static IReadOnlyList<int> RatesFor(int height, int width)
    {
        int r = Math.Max(1, Math.Min(height, width) / 4);
        return [r, 2 * r];
    }

    private IEnumerable<PreActConv> Branches() =>
        [new PreActConv(In, Out, 1), .. Rates.Select(r => new PreActConv(In, Out, 3, Dilation: r))];

    private PreActConv Pool => new(In, Out, 1, Bn: false);

    private PreActConv Project => new((Rates.Count + 2) * Out, Out, 1);

    public FeatureShape Output(FeatureShape input) => input with { Channels = Out };

    public OpCost Cost(FeatureShape input)
    {
        var cost = Pool.Cost(input with { Height = 1, Width = 1 }) + Project.Cost(input with { Channels = (Rates.Count + 2) * Out });
        foreach (var b in Branches()) cost += b.Cost(input);
        return cost;
    }

    public Module<Tensor, Tensor> Build() => new AsppModule(this);

    public string Emit(OnnxGraph g, string prefix, string input, FeatureShape shape)
    {
        string Name(string part) => OnnxGraph.Join(prefix, part);
        var outputs = Branches().Select((b, i) => b.Emit(g, Name($"branches.{i}"), input, shape)).ToList();
        var pooled = g.Node("GlobalAveragePool", Name("mean"), [input]);
        pooled = Pool.Emit(g, Name("pool"), pooled, shape with { Height = 1, Width = 1 });
        outputs.Add(g.Node("Expand", Name("spread"), [pooled, g.Node("Shape", Name("spread_shape"), [outputs[0]])]));
        var joined = g.Node("Concat", Name("concat"), outputs, OnnxGraph.Int("axis", 1));
        return Project.Emit(g, Name("project"), joined, shape with { Channels = (Rates.Count + 2) * Out });
    }

    private sealed class AsppModule : Module<Tensor, Tensor>
    {
        // Field names are the state-dict names.
        private readonly TorchSharp.Modules.ModuleList<Module<Tensor, Tensor>> branches;
        private readonly Module<Tensor, Tensor> pool;
        private readonly Module<Tensor, Tensor> project;

        public AsppModule(Aspp spec) : base("Aspp")
        {
            branches = new TorchSharp.Modules.ModuleList<Module<Tensor, Tensor>>(spec.Branches().Select(b => b.Build()).ToArray());
            pool = spec.Pool.Build();
            project = spec.Project.Build();
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var outputs = branches.Select(b => b.call(x)).ToList();
            outputs.Add(pool.call(x.mean([2, 3], keepdim: true)).expand(-1, -1, x.shape[2], x.shape[3]));
            return project.call(cat(outputs, 1)).MoveToOuterDisposeScope();
        }
    }
}
