namespace NasPlatform.Engine.SearchSpace;

/// <summary>Size and cost of an architecture, computed from the data alone (no network is built).</summary>
public readonly record struct ModelComplexity(long Parameters, long MultiplyAdds);

/// <summary>
/// Counts trainable parameters and multiply-adds (per image, inference) layer by layer, mirroring
/// <see cref="MnasNetwork"/>. Batch norm and element-wise ops add parameters but no multiply-adds
/// (the usual convention); they still cost latency, which is why latency is measured, not derived.
/// </summary>
public static class Complexity
{
    public static ModelComplexity Of(MnasArchitecture arch)
    {
        long parameters = 0, macs = 0;
        int h = arch.InputHeight, w = arch.InputWidth;

        void Conv(int inCh, int outCh, int k, int stride, int groups, bool bias, bool bn)
        {
            h = Out(h, k, stride);
            w = Out(w, k, stride);
            long weights = (long)outCh * (inCh / groups) * k * k;
            parameters += weights + (bias ? outCh : 0) + (bn ? 2L * outCh : 0);
            macs += weights * h * w;
        }

        Conv(arch.InputChannels, arch.StemChannels, 3, arch.StemStride, 1, false, true);
        int inCh = arch.StemChannels;
        foreach (var block in arch.Blocks)
        {
            for (int l = 0; l < block.Layers; l++)
            {
                int stride = l == 0 ? block.Stride : 1;
                int outCh = block.Filters;
                int seChannels;
                switch (block.Op)
                {
                    case ConvOp.Conv:
                        Conv(inCh, outCh, block.Kernel, stride, 1, false, true);
                        seChannels = outCh;
                        break;
                    case ConvOp.DepthwiseConv:
                        Conv(inCh, inCh, block.Kernel, stride, inCh, false, true);
                        Conv(inCh, outCh, 1, 1, 1, false, true);
                        seChannels = outCh;
                        break;
                    default:
                        int hidden = inCh * block.Expansion;
                        if (block.Expansion > 1) Conv(inCh, hidden, 1, 1, 1, false, true);
                        Conv(hidden, hidden, block.Kernel, stride, hidden, false, true);
                        seChannels = hidden;
                        break;
                }
                if (block.SeRatio > 0)
                {
                    int reduced = MnasLayer.SeReducedChannels(block, inCh);
                    long se = 2L * seChannels * reduced;
                    parameters += se + reduced + seChannels;
                    macs += se;
                }
                if (block.Op is ConvOp.MBConv1 or ConvOp.MBConv3 or ConvOp.MBConv6)
                    Conv(seChannels, outCh, 1, 1, 1, false, true);

                bool shapesMatch = stride == 1 && inCh == outCh;
                if (block.Skip == SkipOp.Pool && !shapesMatch && inCh != outCh)
                {
                    long proj = (long)inCh * outCh;
                    parameters += proj + 2L * outCh;
                    macs += proj * h * w;
                }
                inCh = outCh;
            }
        }
        Conv(inCh, arch.HeadChannels, 1, 1, 1, false, true);
        parameters += (long)arch.HeadChannels * arch.NumClasses + arch.NumClasses;
        macs += (long)arch.HeadChannels * arch.NumClasses;
        return new ModelComplexity(parameters, macs);
    }

    private static int Out(int size, int kernel, int stride) => (size + 2 * (kernel / 2) - kernel) / stride + 1;
}
