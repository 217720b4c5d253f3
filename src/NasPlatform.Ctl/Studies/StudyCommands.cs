using System.Globalization;
using System.Text.Json.Nodes;
using NasPlatform.Ctl.CommandLine;
using NasPlatform.Ctl.Output;
using NasPlatform.Ctl.Searches;

namespace NasPlatform.Ctl.Studies;

/// <summary>studies start | show.</summary>
public static class StudyCommands
{
    private static readonly HashSet<string> SearchOnly = ["--strategy", "--seed", "--name", "--wait", "--" + Gates.MinAccuracy, "--" + Gates.MinMetric, "--" + Gates.MaxLatencyMs];

    public static IReadOnlyList<CommandSpec> Specs { get; } =
    [
        new("studies", "start", "", "Compare strategies: one search per strategy and seed, all with the same data, device and budget.",
            [
                new("--strategies", "LIST", "Comma-separated strategies to compare (required), e.g. random,evolution,mnasnet-rl."),
                new("--seeds", "LIST", "Comma-separated seeds, at least 3 (default 1,2,3)."),
                new("--name", "NAME", "Name of the study (default: chosen by the server)."),
                .. StartSearch.Options.Where(o => !SearchOnly.Contains(o.Name)),
                new("--wait", null, "Follow the study until every search has finished, then print its summary (exit 0 when all succeeded, else 1)."),
            ],
            ["nasctl studies start --dataset $DATASET --latency-ms 2 --strategies random,evolution --seeds 1,2,3 --max-trials 20 --wait"], StartAsync),
        new("studies", "show", "ID", "A study's summary per strategy: best reward, hypervolume, test metric and latency over its seeds.", [],
            ["nasctl studies show 8a2b3c4d-5e6f-4a1b-9c2d-3e4f5a6b7c8d --json"], ShowAsync),
    ];

    private static async Task<int> StartAsync(CommandContext context)
    {
        var args = context.Args;
        var strategies = List(args.Required("--strategies"));
        var seeds = new JsonArray();
        foreach (var seed in List(args.Value("--seeds") ?? "1,2,3"))
            seeds.Add(long.TryParse(seed, NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : throw OptionValues.Usage(args, $"--seeds: '{seed}' is not a whole number"));
        var body = new JsonObject
        {
            ["strategies"] = new JsonArray([.. strategies.Select(s => (JsonNode)s)]), ["seeds"] = seeds, ["search"] = StartSearch.Request(args),
        };
        if (args.Value("--name") is { } name) body["name"] = name;
        ((JsonObject)body["search"]!).Remove("name");

        var accepted = await context.Api.PostAsync("api/v1/studies", body, context.Cancellation);
        string id = accepted["id"]?.GetValue<string>() ?? throw new Http.ApiException("the server's answer to the study launch has no id");
        if (!args.Flag("--wait"))
        {
            if (context.Json) context.WriteJson(accepted);
            else context.Out.WriteLine(id);
            return ExitCodes.Success;
        }
        JsonNode study;
        int reported = -1;
        while (true)
        {
            study = await Polling.GetAsync(context, $"api/v1/studies/{Polling.Segment(id)}", context.Poll(TimeSpan.FromSeconds(5)));
            int finished = study["searchesFinished"]!.GetValue<int>(), total = study["searches"]!.GetValue<int>();
            if (finished != reported && !context.Json) context.Error.WriteLine($"study {id}: {finished} of {total} searches finished");
            reported = finished;
            if (finished == total) break;
            await Task.Delay(context.Poll(TimeSpan.FromSeconds(10)), context.Cancellation);
        }
        Print(context, study);
        return study["status"]!.GetValue<string>() == "succeeded" ? ExitCodes.Success : ExitCodes.Failed;
    }

    private static async Task<int> ShowAsync(CommandContext context)
    {
        Print(context, await context.Api.GetAsync($"api/v1/studies/{Polling.Segment(context.Positional(0))}", context.Cancellation));
        return ExitCodes.Success;
    }

    private static void Print(CommandContext context, JsonNode study)
    {
        if (context.Json)
        {
            context.WriteJson(study);
            return;
        }
        var w = context.Out;
        w.WriteLine($"study {study["id"]}  {study["name"]}  {study["status"]}  ({study["searchesFinished"]} of {study["searches"]} searches finished)");
        Table.Write(w, ["STRATEGY", "BEST REWARD", "HYPERVOLUME", "TEST METRIC", "TEST LATENCY", "SEEDS"],
            (study["summary"]?.AsArray() ?? []).Select(s => (IReadOnlyList<string>)
            [
                s!["strategy"]!.GetValue<string>(), Stat(s["bestReward"], 1, "0.0000"), Stat(s["hypervolume"], 1, "0.0000"), Stat(s["testMetric"], 100, "0.00") + " %",
                Stat(s["testLatencyMs"], 1, "0.00") + " ms", s["runs"]!.AsArray().Count.ToString(CultureInfo.InvariantCulture),
            ]));
    }

    private static string Stat(JsonNode? stat, double scale, string format) => stat is null ? "-"
        : (stat["mean"]!.GetValue<double>() * scale).ToString(format, CultureInfo.InvariantCulture) + " ± " +
          (stat["std"]!.GetValue<double>() * scale).ToString(format, CultureInfo.InvariantCulture);

    private static List<string> List(string value) => [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
