using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Tasks;
using NasPlatform.Engine.Torch;
using static TorchSharp.torch;

namespace NasPlatform.Engine.Pipeline;

/// <summary>An architecture ready to be estimated: its ops and the task whose head it ends in.</summary>
public sealed record Candidate(IArchitecture Architecture, ArchitectureGraph Graph, ITask Task)
{
    public string Hash => Architecture.Hash;

    /// <summary>Parameters and multiply-adds of the whole network (backbone and head).</summary>
    public OpCost Cost => Graph.Backbone.Cost(Graph.Input) + Task.HeadCost(Graph);

    /// <summary>The network with weights initialised from <paramref name="seed"/>.</summary>
    public nn.Module<Tensor, Tensor> Build(long seed) => TorchRuntime.Seeded(seed, () => Task.BuildNetwork(Graph));
}
