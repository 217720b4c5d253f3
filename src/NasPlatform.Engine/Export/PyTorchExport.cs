using System.Globalization;
using System.Text;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Ops.Cells;
using NasPlatform.Engine.Ops.Detection;
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
            Tasks.Detection.DetectionTask.TaskName => "DetectionNetwork",
            _ => throw new NotSupportedException($"PyTorch source is written for classification, segmentation and detection networks, not {candidate.Task.Name}."),
        };
        var graph = candidate.Graph;
        var body = new StringBuilder();
        body.Append(PyTorchPrelude.Text.Replace("{space}", candidate.Architecture.Space).Replace("{hash}", candidate.Hash)
            .Replace("{input}", $"{graph.Input.Channels} x {graph.Input.Height} x {graph.Input.Width}").Replace("{output}", candidate.Task.OutputDescription));
        body.Append($"\n\ndef build():\n    \"\"\"The network, untrained; load model.pt into it.\"\"\"\n    return {head}(\n        ");
        body.Append(Expression(graph.Backbone, 2));
        // A detector carries its own head; the others take the features' width and the classes.
        body.Append(graph.Backbone is Detector ? ",\n    )\n"
            : string.Create(CultureInfo.InvariantCulture, $",\n        {graph.Features.Channels},\n        {graph.Output.Classes},\n    )\n"));
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
        Detector d => DetectorExpression(d, depth),
        _ => throw new NotSupportedException($"No PyTorch source for op '{op.Kind}' ({op.GetType().Name})."),
    };

    private static string DetectorExpression(Detector d, int depth)
    {
        var taps = d.Taps(d.Input);
        string List<T>(IEnumerable<T> items) => "[" + string.Join(", ", items) + "]";
        var indent = new string(' ', 4 * (depth + 1));
        var layers = string.Join(",\n", d.Backbone.Ops.Select(o => indent + Expression(o.Op, depth + 1)));
        var cells = List(d.Pyramid.Cells.Select(c => $"({c.Input0}, {c.Input1}, {c.Level}, {PythonString(c.Op)})"));
        return $"RetinaNet(\n{indent}[\n{layers},\n{indent}],\n{indent}{List(taps.Select(t => t.Layer))}, {List(taps.Select(t => t.Shape.Channels))}, {d.Channels}, "
            + $"{d.Pyramid.MinLevel}, {d.Pyramid.MaxLevel},\n{indent}{cells},\n{indent}{List(d.Pyramid.Extras.Select(e => List(e)))}, {List(d.Pyramid.NodeLevels)}, "
            + $"{d.HeadDepth}, {d.Classes}, anchors={Tasks.Detection.AnchorLayout.For(d.Input.Height, d.Input.Width).PerLocation})";
    }

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
}
