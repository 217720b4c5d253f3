using System.Text.Json.Nodes;
using NasPlatform.Ctl.CommandLine;
using NasPlatform.Ctl.Http;
using NasPlatform.Ctl.Output;

namespace NasPlatform.Ctl.Datasets;

/// <summary>datasets upload | list | show.</summary>
public static class DatasetCommands
{
    private const string Ready = "ready";
    private const string Failed = "failed";
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    public static IReadOnlyList<CommandSpec> Specs { get; } =
    [
        new("datasets", "upload", "PATH", "Upload a dataset zip (streamed from disk); with --wait, wait until it is ingested.",
            [
                new("--name", "NAME", "Name of the dataset (required)."),
                new("--format", "FORMAT", "idx-zip, cifar, imagefolder-zip, segmentation-zip or detection-zip (default: detected by the server)."),
                new("--wait", null, "Wait until the dataset is ready (exit 0) or failed (exit 1)."),
            ],
            ["nasctl datasets upload fashion-mnist.zip --name fashion-mnist --format idx-zip --wait",
             "nasctl datasets upload flowers.zip --name flowers --wait --json | jq -r .id"],
            UploadAsync),
        new("datasets", "list", "", "List all datasets, newest first.", [], ["nasctl datasets list"], ListAsync),
        new("datasets", "show", "ID", "Show one dataset: status, classes, counts and input shape.", [],
            ["nasctl datasets show 0d2f6c1e-8a4b-4c5e-9f3a-1b2c3d4e5f60 --json"], ShowAsync),
    ];

    private static async Task<int> UploadAsync(CommandContext context)
    {
        var args = context.Args;
        string path = context.Positional(0);
        string name = args.Required("--name");
        if (Directory.Exists(path)) throw OptionValues.Usage(args, $"'{path}' is a folder; upload one .zip file");
        if (!File.Exists(path)) throw OptionValues.Usage(args, $"no such file: {path}");

        var fields = new List<KeyValuePair<string, string>> { new("name", name) };
        if (args.Value("--format") is { Length: > 0 } format) fields.Add(new("format", format));
        var api = context.Api;
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw OptionValues.Usage(args, $"cannot read {path}: {e.Message}");
        }
        JsonNode created;
        await using (file)
        {
            context.Progress.WriteLine($"uploading {path} ({Fmt.Bytes(file.Length)})");
            created = await api.UploadAsync("api/v1/datasets", file, Path.GetFileName(path), fields, context.Cancellation);
        }
        var accepted = CommandContext.Read<Accepted>(created);
        string id = accepted.Id ?? throw new ApiException("the server's answer to the upload has no dataset id");
        context.Progress.WriteLine($"dataset {id} created, status {accepted.Status}");

        string url = $"api/v1/datasets/{Polling.Segment(id)}";
        var node = await Polling.GetAsync(context, url, context.Poll(PollInterval));
        var dataset = CommandContext.Read<Dataset>(node);
        if (args.Flag("--wait"))
        {
            while (dataset.Status is not (Ready or Failed))
            {
                await Task.Delay(context.Poll(PollInterval), context.Cancellation);
                node = await Polling.GetAsync(context, url, context.Poll(PollInterval));
                dataset = CommandContext.Read<Dataset>(node);
            }
        }

        if (context.Json) context.WriteJson(node);
        else context.Out.WriteLine(dataset.Status == Ready ? $"dataset {id} ready: {Summary(dataset)}" : $"dataset {id} {dataset.Status}");
        if (dataset.Status != Failed) return ExitCodes.Success;
        context.Error.WriteLine($"error: dataset {id} failed: {dataset.Error ?? "(no reason given)"}");
        return ExitCodes.Failed;
    }

    private static async Task<int> ListAsync(CommandContext context)
    {
        var node = await context.Api.GetAsync("api/v1/datasets", context.Cancellation);
        if (context.Json)
        {
            context.WriteJson(node);
            return ExitCodes.Success;
        }
        var datasets = CommandContext.Read<List<Dataset>>(node);
        if (datasets.Count == 0)
        {
            context.Out.WriteLine("no datasets");
            return ExitCodes.Success;
        }
        Table.Write(context.Out, ["ID", "NAME", "FORMAT", "STATUS", "CLASSES", "TRAIN", "TEST", "INPUT", "CREATED"],
            datasets.Select(d => (IReadOnlyList<string>)
            [
                d.Id, d.Name ?? "", d.Format ?? "", d.Status ?? "", Fmt.Count(d.NumClasses), Fmt.Count(d.TrainCount), Fmt.Count(d.TestCount),
                Shape(d), Fmt.Time(d.CreatedAt),
            ]));
        return ExitCodes.Success;
    }

    private static async Task<int> ShowAsync(CommandContext context)
    {
        var node = await context.Api.GetAsync($"api/v1/datasets/{Polling.Segment(context.Positional(0))}", context.Cancellation);
        if (context.Json)
        {
            context.WriteJson(node);
            return ExitCodes.Success;
        }
        var d = CommandContext.Read<Dataset>(node);
        var w = context.Out;
        w.WriteLine($"id       {d.Id}");
        w.WriteLine($"name     {d.Name}");
        w.WriteLine($"format   {d.Format}");
        w.WriteLine($"status   {d.Status}");
        if (d.Error is not null) w.WriteLine($"error    {d.Error}");
        if (d.Status == Ready)
        {
            w.WriteLine($"classes  {d.NumClasses}");
            w.WriteLine($"images   {Fmt.Count(d.TrainCount)} train, {Fmt.Count(d.TestCount)} test");
            w.WriteLine($"input    {Shape(d)} (channels x height x width)");
        }
        w.WriteLine($"upload   {Fmt.Bytes(d.UploadBytes)}");
        w.WriteLine($"created  {Fmt.Time(d.CreatedAt)}");
        if (d.ReadyAt is not null) w.WriteLine($"ready    {Fmt.Time(d.ReadyAt)}");
        var names = d.ClassNames ?? [];
        if (names.Count > 0)
        {
            w.WriteLine("class counts:");
            Table.Write(w, ["  CLASS", "IMAGES"], names.Select((n, i) => (IReadOnlyList<string>)
                ["  " + n, Fmt.Count(d.ClassCounts is { } counts && i < counts.Count ? counts[i] : null)]));
        }
        return ExitCodes.Success;
    }

    private static string Summary(Dataset d) =>
        $"{d.NumClasses} classes, {Fmt.Count(d.TrainCount)} train / {Fmt.Count(d.TestCount)} test images, input {Shape(d)}";

    private static string Shape(Dataset d) => d.InputShape is { Count: > 0 } shape ? string.Join("x", shape) : "-";
}
