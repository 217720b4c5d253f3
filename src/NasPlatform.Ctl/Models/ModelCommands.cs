using System.Globalization;
using System.Text.Json.Nodes;
using NasPlatform.Ctl.CommandLine;
using NasPlatform.Ctl.Http;
using NasPlatform.Ctl.Output;

namespace NasPlatform.Ctl.Models;

/// <summary>models show | download.</summary>
public static class ModelCommands
{
    public static IReadOnlyList<CommandSpec> Specs { get; } =
    [
        new("models", "show", "ID", "Show a trained model: test accuracy, latency, size and where it came from.", [],
            ["nasctl models show 8a2b3c4d-5e6f-4a1b-9c2d-3e4f5a6b7c8d --json"], ShowAsync),
        new("models", "download", "ID", "Download a model's zip (weights, model.onnx, architecture.json, model card) or its ONNX file alone; FILE appears only once complete.",
            [
                new("--out", "FILE", "Where to save the file (required); an existing folder or one ending in '/' keeps the server's file name."),
                new("--format", "zip|onnx", "zip (default): the whole package; onnx: only the ONNX graph."),
            ],
            ["nasctl models download 8a2b3c4d-5e6f-4a1b-9c2d-3e4f5a6b7c8d --out artifacts/model.zip",
             "nasctl models download 8a2b3c4d-5e6f-4a1b-9c2d-3e4f5a6b7c8d --format onnx --out artifacts/"], DownloadAsync),
    ];

    private static async Task<int> ShowAsync(CommandContext context)
    {
        var node = await context.Api.GetAsync($"api/v1/models/{Polling.Segment(context.Positional(0))}", context.Cancellation);
        if (context.Json)
        {
            context.WriteJson(node);
            return ExitCodes.Success;
        }
        var m = CommandContext.Read<Model>(node);
        var w = context.Out;
        w.WriteLine($"id             {m.Id}");
        w.WriteLine($"name           {m.Name}");
        w.WriteLine($"search         {m.SearchId}");
        w.WriteLine($"trial          {m.TrialId}");
        w.WriteLine($"test {m.Metric ?? "metric"}  {Fmt.Percent(m.TestMetric)}{(m.TestLoss is { } loss ? Fmt.Invariant($" (loss {loss:0.0000})") : "")}");
        w.WriteLine($"latency        {Fmt.Ms(m.LatencyMs)}{(m.Device is { } device ? $" on {device}" : "")}");
        w.WriteLine($"parameters     {Fmt.Count(m.Parameters)}");
        w.WriteLine($"macs           {Fmt.Count(m.Macs)}");
        w.WriteLine($"reward         {Fmt.Reward(m.Reward)}");
        w.WriteLine($"trained in     {Fmt.Seconds(m.TrainSeconds)}");
        w.WriteLine($"created        {Fmt.Time(m.CreatedAt)}");
        return ExitCodes.Success;
    }

    private static async Task<int> DownloadAsync(CommandContext context)
    {
        string id = context.Positional(0);
        string outPath = context.Args.Required("--out");
        string format = context.Args.Value("--format") ?? "zip";
        if (format is not ("zip" or "onnx")) throw OptionValues.Usage(context.Args, $"--format must be zip or onnx, not '{format}'");
        string route = format == "onnx" ? "onnx" : "download";
        using var response = await context.Api.OpenAsync($"api/v1/models/{Polling.Segment(id)}/{route}", context.Cancellation);

        string target = Path.GetFullPath(IsFolder(outPath) ? Path.Combine(outPath, ServerFileName(response) ?? $"model-{id}.{format}") : outPath);
        string folder = Path.GetDirectoryName(target)!;
        // Written beside the target and renamed at the end: the rename is atomic on one file system, so
        // FILE is either the whole zip or absent (or its previous version), never half a zip.
        string temp = Path.Combine(folder, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.part");
        FileStream file;
        try
        {
            Directory.CreateDirectory(folder);
            file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw OptionValues.Usage(context.Args, $"cannot write to {folder}: {e.Message}");
        }
        long bytes;
        try
        {
            await using (file)
            {
                await using var body = await response.Content.ReadAsStreamAsync(context.Cancellation);
                await body.CopyToAsync(file, 1 << 16, context.Cancellation);
                bytes = file.Length;
            }
            if (response.Content.Headers.ContentLength is { } expected && expected != bytes)
                throw new ApiException($"the download of model {id} broke off after {bytes} of {expected} bytes");
            File.Move(temp, target, overwrite: true);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or UnauthorizedAccessException)
        {
            Delete(temp);
            throw new ApiException($"the download of model {id} failed: {e.Message}");
        }
        catch
        {
            Delete(temp);
            throw;
        }

        if (context.Json)
            context.WriteJson(new JsonObject { ["modelId"] = id, ["path"] = target, ["bytes"] = bytes });
        else
            context.Out.WriteLine($"saved model {id} to {target} ({Fmt.Bytes(bytes)}, {bytes.ToString("N0", CultureInfo.InvariantCulture)} bytes)");
        return ExitCodes.Success;
    }

    private static bool IsFolder(string path) =>
        Directory.Exists(path) || path.EndsWith(Path.DirectorySeparatorChar) || path.EndsWith(Path.AltDirectorySeparatorChar);

    /// <summary>The server's suggested name, reduced to a plain file name so it cannot point elsewhere.</summary>
    private static string? ServerFileName(HttpResponseMessage response)
    {
        var header = response.Content.Headers.ContentDisposition;
        string? name = Path.GetFileName((header?.FileNameStar ?? header?.FileName)?.Trim('"') ?? "");
        return string.IsNullOrWhiteSpace(name) || name is "." or ".." || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 ? null : name;
    }

    private static void Delete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the error being reported matters more than a leftover .part file.
        }
    }
}
