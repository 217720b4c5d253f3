using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NasPlatform.Data.Entities;
using NasPlatform.Engine.Export;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Tasks;
using NasPlatform.Platform.Storage;

namespace NasPlatform.Web.Api;

/// <summary>
/// The downloadable model: TorchSharp weights, the ONNX graph, the architecture as its space wrote
/// it, and a model card with the task's metrics, the dataset and the search settings that produced it.
/// </summary>
public static class ModelPackage
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string FileStem(TrainedModel model) => $"nasplatform-model-{model.Id:N}"[..27];

    /// <param name="task">The model's task (null when this host no longer knows it): the card says how to read the output.</param>
    /// <param name="view">The architecture as its space describes it (null when the space is unknown here): the card draws it.</param>
    public static async Task WriteAsync(Stream output, TrainedModel model, Search search, ITask? task, ArchitectureView? view, IBlobStore blobs)
    {
        await using (var zip = await ZipArchive.CreateAsync(output, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null))
        {
            var weights = zip.CreateEntry("model.bin", CompressionLevel.Fastest);
            await using (var entry = await weights.OpenAsync())
            await using (var blob = blobs.OpenRead(model.WeightsBlob))
                await blob.CopyToAsync(entry);
            if (model.OnnxBlob is not null) await CopyIfPresentAsync(zip, blobs, model.OnnxBlob, OnnxExport.FileName);
            // The PyTorch files sit beside model.bin (models trained before they existed have none).
            var folder = model.WeightsBlob[..(model.WeightsBlob.LastIndexOf('/') + 1)];
            await CopyIfPresentAsync(zip, blobs, folder + PyTorchExport.WeightsFile, PyTorchExport.WeightsFile);
            await CopyIfPresentAsync(zip, blobs, folder + PyTorchExport.SourceFile, PyTorchExport.SourceFile);
            await WriteTextAsync(zip, "architecture.json", JsonNode.Parse(model.ArchitectureJson)!.ToJsonString(Indented));
            await WriteTextAsync(zip, "model-card.json", CardJson(model, search).ToJsonString(Indented));
            await WriteTextAsync(zip, "model-card.md", CardMarkdown(model, search, task, view));
        }
    }

    private static async Task CopyIfPresentAsync(ZipArchive zip, IBlobStore blobs, string key, string name)
    {
        if (!blobs.Exists(key)) return;
        await using var entry = await zip.CreateEntry(name, CompressionLevel.Fastest).OpenAsync();
        await using var blob = blobs.OpenRead(key);
        await blob.CopyToAsync(entry);
    }

    private static async Task WriteTextAsync(ZipArchive zip, string name, string text)
    {
        await using var entry = await zip.CreateEntry(name, CompressionLevel.Optimal).OpenAsync();
        await entry.WriteAsync(Encoding.UTF8.GetBytes(text));
    }

    public static JsonObject CardJson(TrainedModel m, Search s) => new()
    {
        ["modelId"] = m.Id.ToString(),
        ["name"] = m.Name,
        ["task"] = m.Task,
        ["searchSpace"] = m.SearchSpace,
        ["metric"] = m.Metric,
        ["testMetric"] = m.TestMetric,
        ["testMetrics"] = m.TestMetricsJson is null ? null : JsonNode.Parse(m.TestMetricsJson),
        ["testLoss"] = m.TestLoss,
        ["latencyMs"] = m.LatencyMs,
        ["latency"] = m.LatencyJson is null ? null : JsonNode.Parse(m.LatencyJson),
        ["device"] = m.Device,
        ["parameters"] = m.Parameters,
        ["macs"] = m.Macs,
        ["reward"] = m.Reward,
        ["rewardTerms"] = m.RewardTermsJson is null ? null : JsonNode.Parse(m.RewardTermsJson),
        ["architectureHash"] = m.ArchitectureHash,
        ["trainingRecipe"] = m.RecipeJson is null ? null : JsonNode.Parse(m.RecipeJson),
        ["budget"] = m.BudgetJson is null ? null : JsonNode.Parse(m.BudgetJson),
        ["onnx"] = m.OnnxJson is null ? null : JsonNode.Parse(m.OnnxJson),
        ["pytorch"] = m.PyTorchJson is null ? null : JsonNode.Parse(m.PyTorchJson),
        ["createdAt"] = m.CreatedAt.ToString("O", CultureInfo.InvariantCulture),
        ["dataset"] = new JsonObject
        {
            ["id"] = s.DatasetId.ToString(),
            ["name"] = s.Dataset?.Name,
            ["format"] = s.Dataset?.Format,
            ["inputShape"] = new JsonArray(s.Dataset?.Channels ?? 0, s.Dataset?.Height ?? 0, s.Dataset?.Width ?? 0),
            ["classNames"] = new JsonArray((s.Dataset?.ClassNames ?? []).Select(n => (JsonNode?)JsonValue.Create(n)).ToArray()),
            ["trainCount"] = s.Dataset?.TrainCount,
            ["testCount"] = s.Dataset?.TestCount,
        },
        ["search"] = new JsonObject
        {
            ["id"] = s.Id.ToString(),
            ["searchSpace"] = s.SearchSpace,
            ["spaceOptions"] = s.SpaceOptionsJson is null ? null : JsonNode.Parse(s.SpaceOptionsJson),
            ["strategy"] = s.Strategy,
            ["strategyOptions"] = s.StrategyOptionsJson is null ? null : JsonNode.Parse(s.StrategyOptionsJson),
            ["objective"] = s.Objective,
            ["prior"] = PriorDto.Of(s) is { } prior ? JsonSerializer.SerializeToNode(prior, JsonSerializerOptions.Web) : null,
            ["latencyBudgetMs"] = s.LatencyBudgetMs,
            ["constraint"] = s.Constraint,
            ["targetDevice"] = s.TargetDevice,
            ["maxTrials"] = s.MaxTrials,
            ["maxMinutes"] = s.MaxMinutes,
            ["proxyEpochs"] = s.ProxyEpochs,
            ["proxyFraction"] = s.ProxyFraction,
            ["earlyStopping"] = s.EarlyStopping,
            ["finalEpochs"] = s.FinalEpochs,
            ["batchSize"] = s.BatchSize,
            ["horizontalFlip"] = s.HorizontalFlip,
            ["randomErasing"] = s.RandomErasing,
            ["emaDecay"] = s.EmaDecay,
            ["seed"] = s.Seed,
            ["trialsCompleted"] = s.TrialsCompleted,
        },
    };

    private static string Budget(TrainedModel m) =>
        m.BudgetJson is null ? "" : $"\nLatency budget: {JsonNode.Parse(m.BudgetJson)?["message"]}\n";

    /// <summary>The final training's recipe as a table (models stored before recipes were recorded have none).</summary>
    private static string Recipe(TrainedModel m)
    {
        if (m.RecipeJson is null || JsonNode.Parse(m.RecipeJson) is not JsonObject recipe) return "";
        var rows = recipe.Select(p => $"| {p.Key} | {p.Value?.ToJsonString().Trim('"') ?? "none"} |");
        return "\nTraining recipe of the final training:\n\n| setting | value |\n|---|---|\n" + string.Join("\n", rows) + "\n";
    }

    /// <summary>The ONNX file's line of the card: its check, or why there is no file.</summary>
    private static string OnnxLine(TrainedModel m)
    {
        var onnx = m.OnnxJson is null ? null : JsonNode.Parse(m.OnnxJson);
        if (onnx?["file"] is null)
            return $"There is no `{OnnxExport.FileName}`: {(onnx is null ? "the model predates ONNX export" : onnx["error"])}.";
        var diff = onnx["maxAbsDiff"]!.GetValue<double>().ToString("G3", CultureInfo.InvariantCulture);
        return $"`{OnnxExport.FileName}` is the same network as an ONNX graph (opset {onnx["opset"]}, batch size free, input `input`, output `output`); " +
               $"run by {onnx["runtime"]} beside TorchSharp on {onnx["checkSamples"]} random inputs when it was written, " +
               $"their outputs differed by at most {diff}.";
    }

    private static string PyTorchLine(TrainedModel m) =>
        m.PyTorchJson is null || JsonNode.Parse(m.PyTorchJson)?["source"] is null ? ""
            : $"`{PyTorchExport.WeightsFile}` is the state dict in PyTorch's format and `{PyTorchExport.SourceFile}` builds the same network with the same names: " +
              "`from model import build; net = build(); net.load_state_dict(torch.load(\"model.pt\")); net.eval()`.";

    /// <summary>The architecture's summary and, for cell spaces, each cell as a Mermaid flowchart (GitHub and most viewers draw it).</summary>
    private static string Architecture(ArchitectureView? view)
    {
        if (view is null) return "";
        var text = new StringBuilder($"\nArchitecture: {view.Summary}\n");
        foreach (var cell in view.Cells ?? [])
        {
            text.Append($"\nThe {cell.Name}:\n\n```mermaid\nflowchart LR\n");
            for (int state = 0; state < cell.Inputs.Count + cell.Nodes; state++)
                text.Append($"  s{state}[\"{cell.StateName(state)}\"]\n");
            foreach (var e in cell.Edges) text.Append($"  s{e.From} -- {e.Label} --> s{e.To}\n");
            text.Append($"  out[\"{cell.OutputName}\"]\n");
            foreach (var n in cell.Outputs) text.Append($"  s{cell.Inputs.Count + n} -.-> out\n");
            text.Append("```\n");
        }
        return text.ToString();
    }

    /// <summary>Batch 1: the latency; a throughput search's batch: its time and images per second.</summary>
    private static string LatencyRow(TrainedModel m)
    {
        int batch = m.LatencyJson is null ? 1 : JsonNode.Parse(m.LatencyJson)?["batchSize"]?.GetValue<int>() ?? 1;
        return batch <= 1
            ? string.Create(CultureInfo.InvariantCulture, $"latency (batch 1, median of the fastest round) | {m.LatencyMs:0.###} ms")
            : string.Create(CultureInfo.InvariantCulture,
                $"throughput (batch {batch}) | {Engine.Objectives.ThroughputObjective.ImagesPerSecond(batch, m.LatencyMs):N0} images/s ({m.LatencyMs:0.###} ms per batch)");
    }

    /// <summary>Segmentation: the test part's IoU of each class (classes absent from it and never predicted have none); detection: each
    /// category's AP (0.50:0.95), with AP50 and AP75 of the whole test part.</summary>
    private static string PerClass(TrainedModel m, Dataset? d)
    {
        if (m.TestMetricsJson is null) return "";
        var metrics = JsonSerializer.Deserialize<Dictionary<string, double>>(m.TestMetricsJson) ?? [];
        bool detection = metrics.ContainsKey(Engine.Tasks.Detection.DetectionTask.MeanAp);
        var (key, label) = detection ? ("ap", "AP") : ("iou", "IoU");
        var rows = new StringBuilder();
        for (int k = 0; k < (d?.NumClasses ?? 0); k++)
        {
            string name = d!.ClassNames.Count > k ? d.ClassNames[k] : $"class {k}";
            if (metrics.TryGetValue($"{key}{k}", out var value)) rows.Append(CultureInfo.InvariantCulture, $"| {name} | {value:P2} |\n");
            else if (metrics.ContainsKey("miou") || detection) rows.Append(CultureInfo.InvariantCulture, $"| {name} | (not in the test part) |\n");
        }
        var headline = detection && metrics.TryGetValue(Engine.Tasks.Detection.DetectionTask.Ap50, out var ap50) && metrics.TryGetValue(Engine.Tasks.Detection.DetectionTask.Ap75, out var ap75)
            ? string.Create(CultureInfo.InvariantCulture, $"\nCOCO box AP on the test part: AP (IoU 0.50:0.95) {metrics[Engine.Tasks.Detection.DetectionTask.MeanAp]:P2}, AP50 {ap50:P2}, AP75 {ap75:P2}.\n")
            : "";
        return headline + (rows.Length == 0 ? "" : $"\n{label} per class on the test part:\n\n| class | {label} |\n|---|---|\n" + rows);
    }

    private static string CardMarkdown(TrainedModel m, Search s, ITask? task, ArchitectureView? view)
    {
        var inv = CultureInfo.InvariantCulture;
        var d = s.Dataset;
        return string.Create(inv, $"""
            # {m.Name}

            A {m.Task} model found by NasPlatform search `{s.Id}` ({s.Strategy} over the {s.SearchSpace} space, {s.Objective} objective)
            under a latency budget of {s.LatencyBudgetMs:0.###} ms ({s.Constraint} constraint) on `{s.LatencyDevice ?? s.TargetDevice}`.

            | metric | value |
            |---|---|
            | test {m.Metric} | {m.TestMetric:P2} |
            | {LatencyRow(m)} |
            | parameters | {m.Parameters:N0} |
            | multiply-adds | {m.Macs:N0} |
            | reward | {m.Reward:0.####} |

            Dataset: {d?.Name} ({d?.Format}, input {d?.Channels}x{d?.Height}x{d?.Width}, {d?.NumClasses} classes,
            {d?.TrainCount} training / {d?.TestCount} test images). The test part was used once, for this report.

            Search settings: {s.MaxTrials} trials, proxy {s.ProxyEpochs} epochs on {s.ProxyFraction:P0} of the training split,
            final training {s.FinalEpochs} epochs on training + validation, seed {s.Seed}.
            {PerClass(m, d)}
            {Architecture(view)}
            {Budget(m)}
            {Recipe(m)}

            Files: `model.bin` holds TorchSharp weights for the network described by `architecture.json`
            (rebuild it with NasPlatform.Engine: the `{m.SearchSpace}` space's `Parse` and `Graph`, then the {m.Task} task's `BuildNetwork`,
            then `load("model.bin")`).
            {OnnxLine(m)}
            {PyTorchLine(m)}
            Inputs are N x C x H x W float tensors of the uint8 pixels mapped to [-1, 1] (p * 2 / 255 - 1), as in training.
            Outputs: {task?.OutputDescription ?? $"as the {m.Task} task defines them"}
            """);
    }
}
