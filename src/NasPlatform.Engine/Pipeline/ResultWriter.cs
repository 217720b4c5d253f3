using System.Text.Json;
using System.Text.Json.Nodes;
using NasPlatform.Engine.Latency;

namespace NasPlatform.Engine.Pipeline;

/// <summary>
/// Writes a finished search to a folder: result.json (final model, every trial, the Pareto front),
/// the trained weights in TorchSharp format (model.bin), the network as ONNX (model.onnx, when its
/// check against TorchSharp passed), for PyTorch (model.pt state dict, model.py source) and the
/// architecture beside them (architecture.json). Files are written to temporary names and renamed, so a crash never leaves
/// a half-written result.json.
/// </summary>
public static class ResultWriter
{
    public const string ResultFile = "result.json";
    public const string WeightsFile = "model.bin";
    public const string ArchitectureFile = "architecture.json";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static void Write(string folder, SearchResult result, DatasetSummary dataset)
    {
        var options = result.Options;
        Directory.CreateDirectory(folder);
        var final = result.Final;
        var selected = result.Selected;

        WriteAtomically(Path.Combine(folder, ArchitectureFile), path => File.WriteAllText(path, JsonNode.Parse(selected.ArchitectureJson)!.ToJsonString(Indented)));
        WriteAtomically(Path.Combine(folder, WeightsFile), path => final.Network.save(path));
        var onnxPath = Path.Combine(folder, Export.OnnxExport.FileName);
        if (final.Onnx.Usable) WriteAtomically(onnxPath, path => File.WriteAllBytes(path, final.Onnx.Model!));
        else File.Delete(onnxPath); // an earlier run's file in the same folder would describe another network
        WriteAtomically(Path.Combine(folder, Export.PyTorchExport.WeightsFile), path => Export.PyTorchExport.SaveStateDict(final.Network, path));
        var sourcePath = Path.Combine(folder, Export.PyTorchExport.SourceFile);
        if (final.PyTorch.Source is { } source) WriteAtomically(sourcePath, path => File.WriteAllText(path, source));
        else File.Delete(sourcePath);

        var json = new JsonObject
        {
            ["space"] = options.Space,
            ["task"] = options.Task,
            ["metric"] = result.Metric,
            ["architecture"] = JsonNode.Parse(selected.ArchitectureJson),
            ["architectureHash"] = selected.ArchitectureHash,
            ["testMetric"] = final.Test.Metric,
            ["testMetrics"] = JsonSerializer.SerializeToNode(final.Test.Metrics),
            ["testLoss"] = final.Test.Loss,
            ["latencyMs"] = final.Latency.MedianMs,
            ["latency"] = Latency(final.Latency),
            ["parameters"] = selected.Parameters,
            ["macs"] = selected.MultiplyAdds,
            ["reward"] = final.Reward,
            ["rewardTerms"] = JsonSerializer.SerializeToNode(final.Score.Terms),
            ["objective"] = options.Objective,
            ["prior"] = options.Prior.Enabled ? JsonSerializer.SerializeToNode(options.Prior, Web) : null,
            ["latencyBudgetMs"] = options.LatencyBudgetMs,
            ["constraint"] = options.Constraint.ToString().ToLowerInvariant(),
            ["outcome"] = final.Budget.Outcome,
            ["budget"] = JsonSerializer.SerializeToNode(final.Budget, Web),
            ["selectedTrial"] = selected.Trial,
            ["selectedValidationMetric"] = selected.ValidationMetric,
            ["finalists"] = JsonSerializer.SerializeToNode(result.Finalists ?? [], Web),
            ["onnx"] = Onnx(final.Onnx),
            ["pytorch"] = PyTorch(final.PyTorch),
            ["finalTraining"] = new JsonObject
            {
                ["epochs"] = options.FinalEpochs,
                ["seconds"] = final.TrainSeconds,
                ["recipe"] = JsonSerializer.SerializeToNode(final.Recipe, Web),
                ["history"] = JsonSerializer.SerializeToNode(final.History),
            },
            ["search"] = new JsonObject
            {
                ["strategy"] = options.Strategy,
                ["strategyOptions"] = JsonSerializer.SerializeToNode(options.StrategyOptions, Components.ComponentOptions.Json),
                ["spaceOptions"] = options.SpaceOptions is { } so ? JsonNode.Parse(so.GetRawText()) : null,
                ["maxTrials"] = options.MaxTrials,
                ["maxMinutes"] = options.MaxMinutes,
                ["maxTotalMinutes"] = options.MaxTotalMinutes,
                ["proxyEpochs"] = options.ProxyEpochs,
                ["proxyFraction"] = options.ProxyFraction,
                ["validationFraction"] = options.ValidationFraction,
                ["seed"] = options.Seed,
                ["threads"] = options.Threads,
                ["device"] = options.Device,
                ["stopReason"] = result.StopReason,
                ["wallSeconds"] = result.Seconds,
            },
            ["dataset"] = JsonSerializer.SerializeToNode(dataset),
            ["paretoTrials"] = new JsonArray(result.ParetoTrials.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()),
            ["trials"] = new JsonArray(result.Trials.Select(t => (JsonNode?)new JsonObject
            {
                ["trial"] = t.Trial,
                ["architecture"] = JsonNode.Parse(t.ArchitectureJson),
                ["architectureHash"] = t.ArchitectureHash,
                ["validationMetric"] = t.ValidationMetric,
                ["latencyMs"] = t.LatencyMs,
                ["latencySpread"] = t.Outcome.Latency.RelativeSpread,
                ["parameters"] = t.Parameters,
                ["macs"] = t.MultiplyAdds,
                ["reward"] = t.Reward,
                ["rewardTerms"] = JsonSerializer.SerializeToNode(t.Outcome.Score.Terms),
                ["seconds"] = t.Seconds,
                ["fromCache"] = t.FromCache,
                ["predictedLatencyMs"] = t.PredictedLatencyMs,
                ["rung"] = t.Fidelity?.Rung,
                ["trainedEpochs"] = t.Outcome.History.Count,
                ["skipped"] = t.Skipped,
                ["error"] = t.Error,
                ["epochs"] = JsonSerializer.SerializeToNode(t.Outcome.History.Select(e => new { e.Epoch, e.TrainLoss, e.ValidationMetric })),
            }).ToArray()),
            ["latencyPredictor"] = result.Predictor is { } p ? JsonSerializer.SerializeToNode(p, Web) : null,
            ["baselines"] = new JsonArray(result.Baselines.Select(b => (JsonNode?)new JsonObject
            {
                ["name"] = b.Name,
                ["family"] = b.Family,
                ["width"] = b.Width,
                ["space"] = b.Space,
                ["status"] = b.Status,
                ["reason"] = b.Reason,
                ["testMetric"] = b.Test?.Metric,
                ["testMetrics"] = b.Test is { } test ? JsonSerializer.SerializeToNode(test.Metrics) : null,
                ["latencyMs"] = b.Latency?.MedianMs,
                ["parameters"] = b.Cost.Parameters,
                ["macs"] = b.Cost.MultiplyAdds,
                ["dominatedBySearch"] = b.DominatedBy(final.Test.Metric, final.Latency.MedianMs),
                ["seconds"] = b.Seconds,
                ["architecture"] = JsonNode.Parse(b.ArchitectureJson),
            }).ToArray()),
            ["files"] = new JsonObject
            {
                ["weights"] = WeightsFile, ["architecture"] = ArchitectureFile, ["onnx"] = final.Onnx.Usable ? Export.OnnxExport.FileName : null,
                ["pytorchWeights"] = Export.PyTorchExport.WeightsFile, ["pytorchSource"] = final.PyTorch.Source is null ? null : Export.PyTorchExport.SourceFile,
            },
        };
        // Detection's headline figures at the top, as COCO reports them (the task's metrics are all in testMetrics too).
        foreach (var key in new[] { Tasks.Detection.DetectionTask.MeanAp, Tasks.Detection.DetectionTask.Ap50, Tasks.Detection.DetectionTask.Ap75 })
            if (options.Task == Tasks.Detection.DetectionTask.TaskName && final.Test.Metrics.TryGetValue(key, out var value)) json[key] = value;
        WriteAtomically(Path.Combine(folder, ResultFile), path => File.WriteAllText(path, json.ToJsonString(Indented)));
    }

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <summary>What result.json and the model cards say of an ONNX export.</summary>
    public static JsonObject Onnx(Export.OnnxExportResult r) => new()
    {
        ["file"] = r.Usable ? Export.OnnxExport.FileName : null,
        ["opset"] = r.Opset,
        ["checkSamples"] = r.Check?.Samples,
        ["maxAbsDiff"] = r.Check?.MaxAbsDiff,
        ["tolerance"] = r.Check?.Tolerance,
        ["runtime"] = r.Check?.Runtime,
        ["input"] = Export.OnnxExport.InputDescription,
        ["error"] = r.Error,
    };

    /// <summary>What result.json and the model cards say of the PyTorch files.</summary>
    public static JsonObject PyTorch(Export.PyTorchSource s) => new()
    {
        ["weights"] = Export.PyTorchExport.WeightsFile,
        ["source"] = s.Source is null ? null : Export.PyTorchExport.SourceFile,
        ["load"] = s.Source is null ? null : "from model import build; net = build(); net.load_state_dict(torch.load(\"model.pt\")); net.eval()",
        ["error"] = s.Error,
    };

    private static JsonObject Latency(LatencyStats s) => new()
    {
        ["medianMs"] = s.MedianMs,
        ["meanMs"] = s.MeanMs,
        ["p10Ms"] = s.P10Ms,
        ["p90Ms"] = s.P90Ms,
        ["minMs"] = s.MinMs,
        ["maxMs"] = s.MaxMs,
        ["runs"] = s.Runs,
        ["batchSize"] = s.BatchSize,
        ["threads"] = s.Threads,
        ["device"] = s.Device,
        ["method"] = s.Method,
        ["referenceMs"] = s.ReferenceMs,
        ["roundSpread"] = s.RoundSpread,
    };

    private static void WriteAtomically(string path, Action<string> write)
    {
        var tmp = path + ".tmp";
        write(tmp);
        File.Move(tmp, path, overwrite: true);
    }
}

/// <summary>What result.json says about the data.</summary>
public sealed record DatasetSummary(string Path, string Format, int TrainCount, int TestCount, int Channels, int Height, int Width, IReadOnlyList<string> ClassNames);
