using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Torch;
using static TorchSharp.torch;

namespace NasPlatform.Engine.Export;

/// <summary>How far ONNX Runtime's outputs are from TorchSharp's on the same random inputs.</summary>
public sealed record OnnxCheck(int Samples, double MaxAbsDiff, double Tolerance, string Runtime)
{
    public bool Passed => MaxAbsDiff <= Tolerance;
}

/// <summary>An exported network: the ONNX file's bytes and the check made right after writing it, or why there is none.</summary>
public sealed record OnnxExportResult(byte[]? Model, int Opset, OnnxCheck? Check, string? Error = null)
{
    /// <summary>A file to offer: written and within the tolerance.</summary>
    public bool Usable => Model is not null && Check is { Passed: true };
}

/// <summary>
/// A trained network as a standard ONNX graph, written from the same ops that built it (so the two
/// cannot describe different networks), then run by ONNX Runtime beside TorchSharp on random inputs:
/// a file is only offered when the largest difference stays within <see cref="Tolerance"/>.
/// </summary>
public static class OnnxExport
{
    public const string FileName = "model.onnx";
    public const double Tolerance = 1e-4;
    public const int CheckSamples = 32;

    /// <summary>What the input means, in the file's metadata and the model cards.</summary>
    public const string InputDescription = "N x C x H x W float tensors of the uint8 pixels mapped to [-1, 1] (p * 2 / 255 - 1), as in training";

    public static OnnxExportResult Export(Candidate candidate, nn.Module<Tensor, Tensor> network, long seed = 0)
    {
        var model = Write(candidate, network);
        return new OnnxExportResult(model, OnnxGraph.Opset, Check(model, network, candidate.Graph.Input, seed));
    }

    /// <summary><see cref="Export"/> for the end of a long training: a failure is reported, never thrown, so it cannot cost the model.</summary>
    public static OnnxExportResult TryExport(Candidate candidate, nn.Module<Tensor, Tensor> network)
    {
        try
        {
            var result = Export(candidate, network);
            return result.Usable ? result : result with
            {
                Error = $"ONNX Runtime's outputs differ from TorchSharp's by {result.Check!.MaxAbsDiff:G3} (more than {Tolerance:G1}); no ONNX file is offered.",
            };
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new OnnxExportResult(null, OnnxGraph.Opset, null, $"ONNX export failed: {e.Message}");
        }
    }

    /// <summary>The ONNX file of <paramref name="network"/>, built by <paramref name="candidate"/>'s task from its graph.</summary>
    public static byte[] Write(Candidate candidate, nn.Module<Tensor, Tensor> network)
    {
        var state = network.state_dict();
        var g = new OnnxGraph(state);
        // The task's network names its backbone "features" (ClassificationNetwork's state-dict names).
        var features = candidate.Graph.Backbone.Emit(g, "features", "input", candidate.Graph.Input);
        var (output, size) = candidate.Task.EmitHead(g, candidate.Graph, features);
        var metadata = new Dictionary<string, string>
        {
            ["task"] = candidate.Task.Name,
            ["space"] = candidate.Architecture.Space,
            ["architectureHash"] = candidate.Hash,
            ["architecture"] = candidate.Architecture.ToJson(),
            ["input"] = InputDescription,
            ["output"] = candidate.Task.OutputDescription,
        };
        return g.Finish("input", candidate.Graph.Input, output, candidate.Task.OutputDims(candidate.Graph, size), metadata).ToByteArray();
    }

    /// <summary>Runs <paramref name="model"/> in ONNX Runtime and <paramref name="network"/> in TorchSharp (eval mode)
    /// on the same <see cref="CheckSamples"/> standard-normal inputs, one batch.</summary>
    public static OnnxCheck Check(byte[] model, nn.Module<Tensor, Tensor> network, FeatureShape input, long seed = 0)
    {
        long[] dims = [CheckSamples, input.Channels, input.Height, input.Width];
        float[] inputs, expected;
        bool training = network.training;
        network.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var device = network.parameters().FirstOrDefault()?.device ?? CPU;
            var x = TorchRuntime.Seeded(seed, () => randn(dims));
            inputs = x.data<float>().ToArray();
            expected = network.call(x.to(device)).to(CPU).contiguous().data<float>().ToArray();
        }
        finally
        {
            if (training) network.train();
        }

        using var session = new InferenceSession(model);
        using var value = OrtValue.CreateTensorValueFromMemory(inputs, dims);
        using var run = new RunOptions();
        using var outputs = session.Run(run, ["input"], [value], ["output"]);
        var actual = outputs[0].GetTensorDataAsSpan<float>();
        if (actual.Length != expected.Length)
            throw new InvalidOperationException($"The ONNX model gives {actual.Length} numbers for {CheckSamples} inputs where the network gives {expected.Length}.");
        double max = 0;
        for (int i = 0; i < expected.Length; i++)
            max = Math.Max(max, float.IsFinite(actual[i]) ? Math.Abs(actual[i] - expected[i]) : double.PositiveInfinity);
        return new OnnxCheck(CheckSamples, max, Tolerance, "ONNX Runtime " + OrtEnv.Instance().GetVersionString());
    }
}
