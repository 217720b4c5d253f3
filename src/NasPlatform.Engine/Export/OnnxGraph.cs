using System.Runtime.InteropServices;
using Google.Protobuf;
using NasPlatform.Engine.Ops;
using Onnx;
using static TorchSharp.torch;

namespace NasPlatform.Engine.Export;

/// <summary>
/// An ONNX graph under construction, fed by the ops of a network (each op writes its own nodes) and
/// the trained network's state dict (weights become initializers under their state-dict names, so
/// the ONNX file and model.bin name every tensor alike). Protobuf types come from OnnxSharp.
/// </summary>
public sealed class OnnxGraph
{
    /// <summary>Opset 17: every op used here has its final form by then, and ONNX Runtime since 1.13 runs it.</summary>
    public const int Opset = 17;

    private readonly GraphProto _graph = new() { Name = "nasplatform" };
    private readonly IReadOnlyDictionary<string, Tensor> _state;
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    public OnnxGraph(IReadOnlyDictionary<string, Tensor> state) => _state = state;

    /// <summary>"a.b" from a prefix and a child name; the child alone at the root.</summary>
    public static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;

    /// <summary>A trained tensor of the network by its state-dict name, added once as an initializer.</summary>
    public string Weight(string name)
    {
        if (_names.Contains(name)) return name;
        if (!_state.TryGetValue(name, out var tensor))
            throw new InvalidOperationException($"The network has no tensor '{name}' that its ops describe; the module and its ops disagree.");
        _names.Add(name);
        _graph.Initializer.Add(FloatTensor(name, tensor));
        return name;
    }

    /// <summary>A constant int64 vector (shapes, split sizes) as an initializer.</summary>
    public string Int64s(string hint, params long[] values) =>
        Constant(hint, TensorProto.Types.DataType.Int64, values.Length, p => p.Int64Data.AddRange(values));

    /// <summary>A constant float vector as an initializer.</summary>
    public string Floats(string hint, params float[] values) =>
        Constant(hint, TensorProto.Types.DataType.Float, values.Length, p => p.FloatData.AddRange(values));

    private string Constant(string hint, TensorProto.Types.DataType type, int length, Action<TensorProto> fill)
    {
        var name = Fresh(hint);
        var proto = new TensorProto { Name = name, DataType = (int)type };
        proto.Dims.Add(length);
        fill(proto);
        _graph.Initializer.Add(proto);
        return name;
    }

    /// <summary>Adds a node with one output and returns the output's name (derived from <paramref name="name"/>).</summary>
    public string Node(string opType, string name, IEnumerable<string> inputs, params AttributeProto[] attributes) =>
        Node(opType, name, inputs, 1, attributes)[0];

    /// <summary>Adds a node with <paramref name="outputs"/> outputs and returns their names.</summary>
    public string[] Node(string opType, string name, IEnumerable<string> inputs, int outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = Fresh(name) };
        node.Input.AddRange(inputs);
        var results = Enumerable.Range(0, outputs).Select(i => outputs == 1 ? node.Name : Fresh($"{node.Name}:{i}")).ToArray();
        node.Output.AddRange(results);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return results;
    }

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = Google.Protobuf.ByteString.CopyFromUtf8(value) };

    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    /// <summary>Conv attributes for a k x k kernel with "same" padding (k / 2), as every conv here has.</summary>
    public static AttributeProto[] ConvAttributes(int kernel, int stride, int groups) =>
    [
        Ints("kernel_shape", kernel, kernel), Ints("strides", stride, stride),
        Ints("pads", kernel / 2, kernel / 2, kernel / 2, kernel / 2), Int("group", groups),
    ];

    /// <summary>The finished model: a float input N x C x H x W (N free) and one float output N x <paramref name="outputDims"/>.</summary>
    public ModelProto Finish(string input, FeatureShape inputShape, string output, long[] outputDims, IReadOnlyDictionary<string, string> metadata)
    {
        // The graph's output name is fixed ("output"), whatever the last node was called.
        _graph.Node.Add(new NodeProto { OpType = "Identity", Name = Fresh("output"), Input = { output }, Output = { "output" } });
        _graph.Input.Add(new ValueInfoProto { Name = input, Type = FloatType(-1, inputShape.Channels, inputShape.Height, inputShape.Width) });
        _graph.Output.Add(new ValueInfoProto { Name = "output", Type = FloatType([-1, .. outputDims]) });
        var model = new ModelProto
        {
            IrVersion = 8, ProducerName = "NasPlatform", ProducerVersion = typeof(OnnxGraph).Assembly.GetName().Version?.ToString() ?? "",
            Graph = _graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        foreach (var (key, value) in metadata) model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return model;
    }

    private string Fresh(string hint)
    {
        var name = hint;
        for (int i = 1; !_names.Add(name); i++) name = $"{hint}_{i}";
        return name;
    }

    private static TypeProto FloatType(params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
            shape.Dim.Add(d < 0 ? new TensorShapeProto.Types.Dimension { DimParam = "N" } : new TensorShapeProto.Types.Dimension { DimValue = d });
        return new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } };
    }

    private static TensorProto FloatTensor(string name, Tensor tensor)
    {
        using var values = tensor.detach().to(CPU).to_type(ScalarType.Float32).contiguous();
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        proto.Dims.AddRange(tensor.shape);
        // ONNX raw data is little-endian, as every platform TorchSharp runs on.
        proto.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.data<float>().ToArray().AsSpan()));
        return proto;
    }
}
