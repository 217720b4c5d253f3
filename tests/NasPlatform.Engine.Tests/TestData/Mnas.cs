using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Spaces.MnasNet;
using NasPlatform.Engine.Tasks;
using NasPlatform.Engine.Tasks.Classification;
using static TorchSharp.torch;

namespace NasPlatform.Engine.Tests.TestData;

/// <summary>MnasNet-space architectures as classification networks, the way the pipeline builds them.</summary>
internal static class Mnas
{
    public static readonly ITask Task = new ClassificationTask();

    public static Candidate Candidate(MnasArchitecture arch) => new(arch, arch.Graph(), Task);

    public static nn.Module<Tensor, Tensor> Network(MnasArchitecture arch, long seed = 1) => Candidate(arch).Build(seed);

    public static OpCost Cost(MnasArchitecture arch) => Candidate(arch).Cost;

    public static long ParameterCount(nn.Module<Tensor, Tensor> net) => net.parameters().Sum(p => p.numel());
}
