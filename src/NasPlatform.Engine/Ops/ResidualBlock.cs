using NasPlatform.Engine.Export;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasPlatform.Engine.Ops;

/// <summary>
/// body -> optional squeeze-excitation -> optional linear projection, plus an optional shortcut:
/// the shape of MBConv, separable-conv and ResNet-style layers. With <see cref="Residual"/> and no
/// <see cref="Shortcut"/> the input is added as is (shapes must match). <see cref="ActAfterAdd"/>
/// applies ReLU after the addition, as ResNet's blocks do.
/// </summary>
public sealed record ResidualBlock(Sequence Body, SqueezeExcite? Se, IOp? Project, bool Residual, IOp? Shortcut, bool ActAfterAdd = false) : IOp
{
    public string Kind => "block";

    public FeatureShape Output(FeatureShape input)
    {
        var shape = Body.Output(input);
        return Project?.Output(shape) ?? shape;
    }

    public OpCost Cost(FeatureShape input)
    {
        var inner = Body.Output(input);
        var cost = Body.Cost(input);
        if (Se is not null) cost += Se.Cost(inner);
        if (Project is not null) cost += Project.Cost(inner);
        if (Residual && Shortcut is not null) cost += Shortcut.Cost(input);
        return cost;
    }

    public Module<Tensor, Tensor> Build() => new BlockModule(this);

    public string Emit(OnnxGraph g, string prefix, string input, FeatureShape shape)
    {
        var inner = Body.Output(shape);
        var y = Body.Emit(g, OnnxGraph.Join(prefix, "body"), input, shape);
        if (Se is not null) y = Se.Emit(g, OnnxGraph.Join(prefix, "se"), y, inner);
        if (Project is not null) y = Project.Emit(g, OnnxGraph.Join(prefix, "project"), y, inner);
        if (Residual)
        {
            var skip = Shortcut is null ? input : Shortcut.Emit(g, OnnxGraph.Join(prefix, "shortcut"), input, shape);
            y = g.Node("Add", OnnxGraph.Join(prefix, "add"), [y, skip]);
        }
        return ActAfterAdd ? g.Node("Relu", OnnxGraph.Join(prefix, "act"), [y]) : y;
    }

    private sealed class BlockModule : Module<Tensor, Tensor>
    {
        private readonly Module<Tensor, Tensor> body;
        private readonly Module<Tensor, Tensor>? se;
        private readonly Module<Tensor, Tensor>? project;
        private readonly Module<Tensor, Tensor>? shortcut;
        private readonly bool residual;
        private readonly bool actAfterAdd;

        // Field names are the state-dict names (body, se, project, shortcut), kept stable for saved weights.
        public BlockModule(ResidualBlock spec) : base("MnasLayer")
        {
            body = spec.Body.Build();
            se = spec.Se?.Build();
            project = spec.Project?.Build();
            residual = spec.Residual;
            actAfterAdd = spec.ActAfterAdd;
            shortcut = spec.Residual ? spec.Shortcut?.Build() : null;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var y = body.call(x);
            if (se is not null) y = se.call(y);
            if (project is not null) y = project.call(y);
            if (residual) y = y + (shortcut is null ? x : shortcut.call(x));
            if (actAfterAdd) y = functional.relu(y);
            return y.MoveToOuterDisposeScope();
        }
    }
}
