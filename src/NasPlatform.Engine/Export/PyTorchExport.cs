using System.Globalization;
using System.Text;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Ops.Cells;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Tasks.Classification;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace NasPlatform.Engine.Export;

/// <summary>The Python source of a network for PyTorch, or why there is none.</summary>
public sealed record PyTorchSource(string? Source, string? Error = null);

/// <summary>
/// The network for PyTorch users: its state dict in PyTorch's own file format (written by
/// TorchSharp.PyBridge, read by torch.load) and Python source of an nn.Module that builds the same
/// network with the same parameter names, so <c>load_state_dict(torch.load("model.pt"))</c> fits
/// exactly. The Python mirror of every op lives here, beside the helper classes it uses, rather than
/// in the ops: it is one small program and reads best whole.
/// </summary>
public static class PyTorchExport
{
    public const string WeightsFile = "model.pt";
    public const string SourceFile = "model.py";

    /// <summary>Writes the state dict (every parameter and buffer, under TorchSharp's names, which PyTorch's are).</summary>
    public static void SaveStateDict(nn.Module<Tensor, Tensor> network, string path) => network.save_py(path);

    /// <summary><see cref="Source"/> at the end of a long training: a failure is reported, never thrown.</summary>
    public static PyTorchSource TrySource(Candidate candidate)
    {
        try
        {
            return new PyTorchSource(Source(candidate));
        }
        catch (NotSupportedException e)
        {
            return new PyTorchSource(null, e.Message);
        }
    }

    /// <summary>Writes model.pt and model.py into <paramref name="folder"/> (model.py only when there is source).</summary>
    public static void WriteFiles(string folder, nn.Module<Tensor, Tensor> network, PyTorchSource source)
    {
        SaveStateDict(network, Path.Combine(folder, WeightsFile));
        if (source.Source is { } text) File.WriteAllText(Path.Combine(folder, SourceFile), text);
    }

    /// <summary>Python source with <c>build()</c> returning the untrained network.</summary>
    public static string Source(Candidate candidate)
    {
        var head = candidate.Task.Name switch
        {
            ClassificationTask.TaskName => "ClassificationNetwork",
            Tasks.Segmentation.SegmentationTask.TaskName => "SegmentationNetwork",
            _ => throw new NotSupportedException($"PyTorch source is written for classification and segmentation networks, not {candidate.Task.Name}."),
        };
        var graph = candidate.Graph;
        var body = new StringBuilder();
        body.Append(Prelude.Replace("{space}", candidate.Architecture.Space).Replace("{hash}", candidate.Hash)
            .Replace("{input}", $"{graph.Input.Channels} x {graph.Input.Height} x {graph.Input.Width}").Replace("{output}", candidate.Task.OutputDescription));
        body.Append($"\n\ndef build():\n    \"\"\"The network, untrained; load model.pt into it.\"\"\"\n    return {head}(\n        ");
        body.Append(Expression(graph.Backbone, 2));
        body.Append(string.Create(CultureInfo.InvariantCulture, $",\n        {graph.Features.Channels},\n        {graph.Output.Classes},\n    )\n"));
        body.Append("\n\nARCHITECTURE = ").Append(PythonString(candidate.Architecture.ToJson())).Append('\n');
        return body.ToString();
    }

    /// <summary>A Python expression building <paramref name="op"/>'s module (children named as TorchSharp names them).</summary>
    private static string Expression(IOp op, int depth) => op switch
    {
        ConvBn c => $"conv_bn({c.In}, {c.Out}, {c.Kernel}, stride={c.Stride}, groups={c.Groups}, act={Bool(c.Act)})",
        AvgPool p => $"nn.AvgPool2d({p.Stride}, {p.Stride}, ceil_mode=True)",
        MaxPool p => $"nn.MaxPool2d({p.Kernel}, {p.Stride}, {p.Kernel / 2})",
        SpaceToDepth s => $"nn.PixelUnshuffle({s.Block})",
        SqueezeExcite s => $"SqueezeExcite({s.Channels}, {s.Reduced})",
        Sequence s => Sequential(s, depth),
        ResidualBlock b => "Block("
            + Expression(b.Body, depth + 1)
            + (b.Se is null ? "" : ", se=" + Expression(b.Se, depth + 1))
            + (b.Project is null ? "" : ", project=" + Expression(b.Project, depth + 1))
            + (b.Residual ? ", residual=True" : "")
            + (b.Residual && b.Shortcut is not null ? ", shortcut=" + Expression(b.Shortcut, depth + 1) : "")
            + (b.ActAfterAdd ? ", act_after_add=True" : "") + ")",
        ShuffleUnit u => $"ShuffleUnit({(u.Left is null ? "None" : Expression(u.Left, depth + 1))}, {Expression(u.Right, depth + 1)})",
        PreActConv c => $"preact_conv({c.In}, {c.Out}, {c.Kernel}, stride={c.Stride}, dilation={c.Dilation}, groups={c.Groups}, relu={Bool(c.Relu)}, bn={Bool(c.Bn)}, affine={Bool(c.Affine)})",
        Pool3 { Max: true } p => $"nn.MaxPool2d(3, {p.Stride}, 1)",
        Pool3 p => $"nn.AvgPool2d(3, {p.Stride}, 1, count_include_pad=False)",
        Identity => "nn.Identity()",
        FactorizedReduce f => $"FactorizedReduce({f.In}, {f.Out}, affine={Bool(f.Affine)})",
        Ops.Dense.Upsample u => $"nn.Upsample(size=({u.Height}, {u.Width}), mode=\"bilinear\", align_corners=False)",
        Ops.Dense.Aspp a => $"Aspp({a.In}, {a.Out}, [{string.Join(", ", a.Rates)}])",
        CellNetwork n => "CellNetwork(" + Expression(n.Stem, depth + 1) + ", [" + string.Join(", ", n.Cells.Select(c => CellExpression(c, depth + 1))) + "])",
        _ => throw new NotSupportedException($"No PyTorch source for op '{op.Kind}' ({op.GetType().Name})."),
    };

    private static string CellExpression(Cell c, int depth) =>
        $"Cell({Expression(c.Pre0, depth + 1)}, {Expression(c.Pre1, depth + 1)}, [{string.Join(", ", c.Edges.Select(e => Expression(e.Op, depth + 1)))}], "
        + $"[{string.Join(", ", c.Edges.Select(e => e.From))}])";

    private static string Sequential(Sequence s, int depth)
    {
        if (s.Ops.Count == 0) return "seq()";
        var indent = new string(' ', 4 * (depth + 1));
        var items = s.Ops.Select(o => $"{indent}({PythonString(o.Name)}, {Expression(o.Op, depth + 1)}),");
        return "seq(\n" + string.Join("\n", items) + "\n" + new string(' ', 4 * depth) + ")";
    }

    private static string Bool(bool value) => value ? "True" : "False";

    private static string PythonString(string text) =>
        "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n") + "\"";

    private const string Prelude = """"
        """A network found by NasPlatform ({space} space, architecture {hash}).

        Load it with its trained weights:

            import torch
            from model import build
            net = build()
            net.load_state_dict(torch.load("model.pt"))
            net.eval()

        Input: N x {input} float tensors of the uint8 pixels mapped to [-1, 1] (p * 2 / 255 - 1).
        Output: {output}
        """
        from collections import OrderedDict

        import torch
        from torch import nn


        def conv_bn(cin, cout, kernel, stride=1, groups=1, act=True):
            layers = [
                ("conv", nn.Conv2d(cin, cout, kernel, stride, kernel // 2, groups=groups, bias=False)),
                ("bn", nn.BatchNorm2d(cout)),
            ]
            if act:
                layers.append(("act", nn.ReLU(inplace=True)))
            return nn.Sequential(OrderedDict(layers))


        def seq(*layers):
            return nn.Sequential(OrderedDict(layers))


        class SqueezeExcite(nn.Module):
            def __init__(self, channels, reduced):
                super().__init__()
                self.reduce = nn.Conv2d(channels, reduced, 1)
                self.expand = nn.Conv2d(reduced, channels, 1)

            def forward(self, x):
                s = torch.relu(self.reduce(x.mean((2, 3), keepdim=True)))
                return x * torch.sigmoid(self.expand(s))


        class Block(nn.Module):
            """body -> squeeze-excitation -> projection, plus the input (or its shortcut) when residual."""

            def __init__(self, body, se=None, project=None, residual=False, shortcut=None, act_after_add=False):
                super().__init__()
                self.body = body
                self.se = se
                self.project = project
                self.shortcut = shortcut
                self.residual = residual
                self.act_after_add = act_after_add

            def forward(self, x):
                y = self.body(x)
                if self.se is not None:
                    y = self.se(y)
                if self.project is not None:
                    y = self.project(y)
                if self.residual:
                    y = y + (x if self.shortcut is None else self.shortcut(x))
                if self.act_after_add:
                    y = torch.relu(y)
                return y


        class ShuffleUnit(nn.Module):
            """ShuffleNet V2 unit: split (or two branches), concatenate, shuffle two groups of channels."""

            def __init__(self, left, right):
                super().__init__()
                self.left = left
                self.right = right

            def forward(self, x):
                if self.left is None:
                    a, b = x.chunk(2, 1)
                    y = torch.cat([a, self.right(b)], 1)
                else:
                    y = torch.cat([self.left(x), self.right(x)], 1)
                n, c, h, w = y.shape
                return y.view(n, 2, c // 2, h, w).transpose(1, 2).reshape(n, c, h, w)


        def preact_conv(cin, cout, kernel, stride=1, dilation=1, groups=1, relu=True, bn=True, affine=True):
            layers = []
            if relu:
                layers.append(("act", nn.ReLU()))
            padding = dilation * (kernel - 1) // 2
            layers.append(("conv", nn.Conv2d(cin, cout, kernel, stride, padding, dilation=dilation, groups=groups, bias=False)))
            if bn:
                layers.append(("bn", nn.BatchNorm2d(cout, affine=affine)))
            return nn.Sequential(OrderedDict(layers))


        class FactorizedReduce(nn.Module):
            """Halves the resolution: two 1x1 stride-2 convs, the second on the input shifted by one pixel."""

            def __init__(self, cin, cout, affine=True):
                super().__init__()
                self.conv_1 = nn.Conv2d(cin, cout // 2, 1, 2, bias=False)
                self.conv_2 = nn.Conv2d(cin, cout // 2, 1, 2, bias=False)
                self.bn = nn.BatchNorm2d(cout, affine=affine)

            def forward(self, x):
                x = torch.relu(x)
                shifted = nn.functional.pad(x[:, :, 1:, 1:], (0, 1, 0, 1))
                return self.bn(torch.cat([self.conv_1(x), self.conv_2(shifted)], 1))


        class Cell(nn.Module):
            """A DARTS cell: each node adds two edges' ops on earlier states; the output concatenates the nodes."""

            def __init__(self, pre0, pre1, edges, sources):
                super().__init__()
                self.pre0 = pre0
                self.pre1 = pre1
                self.edges = nn.ModuleList(edges)
                self.sources = sources

            def forward(self, s0, s1):
                states = [self.pre0(s0), self.pre1(s1)]
                for e in range(0, len(self.edges), 2):
                    states.append(self.edges[e](states[self.sources[e]]) + self.edges[e + 1](states[self.sources[e + 1]]))
                return torch.cat(states[2:], 1)


        class CellNetwork(nn.Module):
            def __init__(self, stem, cells):
                super().__init__()
                self.stem = stem
                self.cells = nn.ModuleList(cells)

            def forward(self, x):
                s0 = s1 = self.stem(x)
                for cell in self.cells:
                    s0, s1 = s1, cell(s0, s1)
                return s1


        class ClassificationNetwork(nn.Module):
            def __init__(self, features, channels, classes):
                super().__init__()
                self.features = features
                self.classifier = nn.Linear(channels, classes)

            def forward(self, x):
                return self.classifier(self.features(x).mean((2, 3)))


        class Aspp(nn.Module):
            """DeepLab v3's ASPP: 1x1, 3x3 atrous per rate and image-pooling branches, concatenated and projected."""

            def __init__(self, cin, cout, rates):
                super().__init__()
                self.branches = nn.ModuleList([preact_conv(cin, cout, 1)] + [preact_conv(cin, cout, 3, dilation=r) for r in rates])
                self.pool = preact_conv(cin, cout, 1, bn=False)
                self.project = preact_conv((len(rates) + 2) * cout, cout, 1)

            def forward(self, x):
                outputs = [b(x) for b in self.branches]
                outputs.append(self.pool(x.mean((2, 3), keepdim=True)).expand(-1, -1, x.shape[2], x.shape[3]))
                return self.project(torch.cat(outputs, 1))


        class SegmentationNetwork(nn.Module):
            def __init__(self, features, channels, classes):
                super().__init__()
                self.features = features
                self.classifier = nn.Conv2d(channels, classes, 1)

            def forward(self, x):
                scores = self.classifier(self.features(x))
                return nn.functional.interpolate(scores, size=x.shape[2:], mode="bilinear", align_corners=False)
        """";
}
