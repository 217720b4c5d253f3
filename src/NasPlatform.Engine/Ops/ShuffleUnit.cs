using NasPlatform.Engine.Export;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasPlatform.Engine.Ops;

/// <summary>
/// ShuffleNet V2's unit (Ma et al. 2018): two branches concatenated along the channels, then a channel
/// shuffle with two groups so that the next unit's split mixes what both branches computed. Without
/// <see cref="Left"/> the input is split in half: the first half passes unchanged and only the second
/// goes through <see cref="Right"/> (the basic unit, equal widths in and out: guideline G1). With it,
/// both branches read the whole input (the down-sampling unit, which may also change the width).
/// </summary>
public sealed record ShuffleUnit(Sequence? Left, Sequence Right) : IOp
{
    public const int Groups = 2;

    public string Kind => "shuffle_unit";

    /// <summary>Split, 1x1 conv-BN-ReLU -> kxk depthwise conv-BN -> 1x1 conv-BN-ReLU on one half, concat, shuffle.</summary>
    public static ShuffleUnit Basic(int channels, int kernel)
    {
        if (channels < 2 || channels % 2 != 0) throw new ArgumentException($"A basic ShuffleNet unit splits its input in half: {channels} channels is not even.");
        return new(null, Branch(channels / 2, channels / 2, kernel, stride: 1));
    }

    /// <summary>No split: a kxk depthwise conv-BN -> 1x1 conv-BN-ReLU branch beside the basic unit's branch, both at <paramref name="stride"/>.</summary>
    public static ShuffleUnit Downsample(int inChannels, int outChannels, int kernel, int stride)
    {
        if (outChannels < 2 || outChannels % 2 != 0) throw new ArgumentException($"A ShuffleNet unit concatenates two equal branches: {outChannels} channels is not even.");
        int half = outChannels / 2;
        var left = new Sequence([
            ("dw", new ConvBn(inChannels, inChannels, kernel, stride, inChannels, Act: false)),
            ("pw", new ConvBn(inChannels, half, 1)),
        ]);
        return new(left, Branch(inChannels, half, kernel, stride));
    }

    private static Sequence Branch(int inChannels, int outChannels, int kernel, int stride) => new([
        ("pw1", new ConvBn(inChannels, outChannels, 1)),
        // No ReLU after the depthwise conv, as in the paper's figure 3.
        ("dw", new ConvBn(outChannels, outChannels, kernel, stride, outChannels, Act: false)),
        ("pw2", new ConvBn(outChannels, outChannels, 1)),
    ]);

    public FeatureShape Output(FeatureShape input)
    {
        if (Left is null)
        {
            var right = Right.Output(Half(input));
            return right with { Channels = input.Channels / 2 + right.Channels };
        }
        var l = Left.Output(input);
        var r = Right.Output(input);
        if ((l.Height, l.Width) != (r.Height, r.Width)) throw new ArgumentException($"The branches of a ShuffleNet unit disagree: {l} and {r}.");
        return l with { Channels = l.Channels + r.Channels };
    }

    public OpCost Cost(FeatureShape input) =>
        Left is null ? Right.Cost(Half(input)) : Left.Cost(input) + Right.Cost(input);

    public Module<Tensor, Tensor> Build() => new ShuffleUnitModule(this);

    public string Emit(OnnxGraph g, string prefix, string input, FeatureShape shape)
    {
        string Name(string part) => OnnxGraph.Join(prefix, part);
        string[] parts;
        if (Left is null)
        {
            var half = Half(shape);
            var halves = g.Node("Split", Name("split"), [input, g.Int64s(Name("split.sizes"), half.Channels, half.Channels)], 2, OnnxGraph.Int("axis", 1));
            parts = [halves[0], Right.Emit(g, Name("right"), halves[1], half)];
        }
        else parts = [Left.Emit(g, Name("left"), input, shape), Right.Emit(g, Name("right"), input, shape)];
        var y = g.Node("Concat", Name("concat"), parts, OnnxGraph.Int("axis", 1));
        // The channel shuffle of ChannelShuffle below: view as groups x (C / groups), swap, flatten back.
        var o = Output(shape);
        y = g.Node("Reshape", Name("shuffle"), [y, g.Int64s(Name("shuffle.groups"), 0, Groups, o.Channels / Groups, o.Height, o.Width)]);
        y = g.Node("Transpose", Name("shuffle"), [y], OnnxGraph.Ints("perm", 0, 2, 1, 3, 4));
        return g.Node("Reshape", Name("shuffle"), [y, g.Int64s(Name("shuffle.shape"), 0, o.Channels, o.Height, o.Width)]);
    }

    /// <summary>Channel shuffle (ShuffleNet V1): channel g * (C / groups) + i moves to i * groups + g.</summary>
    public static Tensor ChannelShuffle(Tensor x, int groups)
    {
        long n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        return x.view(n, groups, c / groups, h, w).transpose(1, 2).reshape(n, c, h, w);
    }

    private static FeatureShape Half(FeatureShape input)
    {
        if (input.Channels % 2 != 0) throw new ArgumentException($"A basic ShuffleNet unit splits its input in half: {input} has an odd number of channels.");
        return input with { Channels = input.Channels / 2 };
    }

    private sealed class ShuffleUnitModule : Module<Tensor, Tensor>
    {
        // Field names are the state-dict names (left, right).
        private readonly Module<Tensor, Tensor>? left;
        private readonly Module<Tensor, Tensor> right;

        public ShuffleUnitModule(ShuffleUnit spec) : base("ShuffleUnit")
        {
            left = spec.Left?.Build();
            right = spec.Right.Build();
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            Tensor y;
            if (left is null)
            {
                var halves = x.chunk(2, 1);
                y = cat([halves[0], right.call(halves[1])], 1);
            }
            else y = cat([left.call(x), right.call(x)], 1);
            return ChannelShuffle(y, Groups).MoveToOuterDisposeScope();
        }
    }
}
