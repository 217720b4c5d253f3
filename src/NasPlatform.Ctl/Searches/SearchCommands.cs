using NasPlatform.Ctl.CommandLine;
using NasPlatform.Ctl.Http;
using NasPlatform.Ctl.Output;

namespace NasPlatform.Ctl.Searches;

/// <summary>searches start | show | cancel.</summary>
public static class SearchCommands
{
    public static IReadOnlyList<CommandSpec> Specs { get; } =
    [
        new("searches", "start", "",
            "Start a search for the most accurate network within a latency budget; with --wait, follow it and check quality gates.",
            StartSearch.Options,
            ["nasctl searches start --dataset $DATASET_ID --latency-ms 5 --max-trials 20 --wait --min-accuracy 0.85 --max-latency-ms 5",
             "nasctl searches start --dataset $DATASET_ID --latency-ms 2 --strategy random --constraint hard --seed 7"],
            StartSearch.RunAsync),
        new("searches", "show", "ID", "Show a search: status, progress, best trial and final model.", [],
            ["nasctl searches show 5d1f0a3b-2c4d-4e5f-8a9b-0c1d2e3f4a5b"], ShowAsync),
        new("searches", "cancel", "ID", "Cancel a search: queued trials are dropped, running ones stop.", [],
            ["nasctl searches cancel 5d1f0a3b-2c4d-4e5f-8a9b-0c1d2e3f4a5b"], CancelAsync),
    ];

    private static async Task<int> ShowAsync(CommandContext context)
    {
        var node = await context.Api.GetAsync($"api/v1/searches/{Polling.Segment(context.Positional(0))}", context.Cancellation);
        if (context.Json)
        {
            context.WriteJson(node);
            return ExitCodes.Success;
        }
        var s = CommandContext.Read<Search>(node);
        var w = context.Out;
        w.WriteLine($"id        {s.Id}");
        w.WriteLine($"name      {s.Name}");
        w.WriteLine($"dataset   {s.DatasetId}");
        w.WriteLine($"status    {s.Status}{(s.Phase is { } phase && !s.IsFinished ? $" (phase {phase})" : "")}");
        w.WriteLine($"settings  {s.Strategy}, {s.Constraint} constraint, latency budget {Fmt.Ms(s.LatencyBudgetMs)} on {s.TargetDevice}");
        w.WriteLine($"progress  {s.TrialsCompleted ?? 0}/{s.MaxTrials} trials");
        w.WriteLine($"best      {(s.BestTrial is { } best ? Best(best) : "-")}");
        w.WriteLine($"model     {s.ModelId ?? "-"}{(s.OverBudget ? "  (over the hard latency budget)" : "")}");
        if (s.Error is not null) w.WriteLine($"error     {s.Error}");
        w.WriteLine($"created   {Fmt.Time(s.CreatedAt)}");
        if (s.StartedAt is not null) w.WriteLine($"started   {Fmt.Time(s.StartedAt)}");
        if (s.FinishedAt is not null) w.WriteLine($"finished  {Fmt.Time(s.FinishedAt)}");
        return ExitCodes.Success;
    }

    private static async Task<int> CancelAsync(CommandContext context)
    {
        var node = await context.Api.PostAsync($"api/v1/searches/{Polling.Segment(context.Positional(0))}/cancel", null, context.Cancellation);
        if (context.Json) context.WriteJson(node);
        else context.Out.WriteLine($"search {context.Positional(0)} {CommandContext.Read<Search>(node).Status}");
        return ExitCodes.Success;
    }

    public static string Best(Trial best) =>
        $"trial {best.Number}: val {Fmt.Percent(best.ValidationMetric)}, latency {Fmt.Ms(best.LatencyMs)}, reward {Fmt.Reward(best.Reward)}";

    public static string Duration(Search search) =>
        search is { StartedAt: { } start, FinishedAt: { } end } ? Fmt.Seconds((end - start).TotalSeconds) : "-";
}
