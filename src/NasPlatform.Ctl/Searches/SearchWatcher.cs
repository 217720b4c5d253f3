using System.Text.Json.Nodes;
using NasPlatform.Ctl.Http;
using NasPlatform.Ctl.Output;

namespace NasPlatform.Ctl.Searches;

/// <summary>
/// Follows a search until it finishes, printing one line per trial as it finishes, so a CI log
/// shows the search progress without a browser.
/// </summary>
public sealed class SearchWatcher(CommandContext context, string id)
{
    public const int TrialPageSize = 500;
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    private readonly string url = $"api/v1/searches/{Polling.Segment(id)}";
    private readonly HashSet<string> printed = new(StringComparer.Ordinal);
    // Pages before this one hold only finished, printed trials: trials are numbered in order and a finished one stays finished.
    private int firstOpenPage = 1;
    private string? status;
    private string? phase;

    /// <summary>Polls until the search is succeeded, failed or cancelled; answers its last state (as JSON and read).</summary>
    public async Task<(JsonNode Node, Search Search)> WatchAsync()
    {
        var interval = context.Poll(PollInterval);
        while (true)
        {
            // The search before its trials: once it reads finished, the trials read next are all there are.
            var node = await Polling.GetAsync(context, url, interval);
            var search = CommandContext.Read<Search>(node);
            // Trials first: the phase change to "final" comes after the last trial finished.
            await PrintFinishedTrialsAsync(search, interval);
            ReportState(search);
            if (search.IsFinished) return (node, search);
            await Task.Delay(interval, context.Cancellation);
        }
    }

    private void ReportState(Search search)
    {
        if (search.IsFinished) return;
        if (search.Status != status)
        {
            status = search.Status;
            context.Progress.WriteLine($"search {id} {status}");
        }
        if (search.Phase != phase)
        {
            bool first = phase is null;
            phase = search.Phase;
            if (phase == "final")
                context.Progress.WriteLine($"search {id}: trials done, training the best architecture fully ({search.FinalEpochs} epochs)");
            else if (!first && phase is not null)
                context.Progress.WriteLine($"search {id}: phase {phase}");
        }
    }

    private async Task PrintFinishedTrialsAsync(Search search, TimeSpan interval)
    {
        for (int page = firstOpenPage; ; page++)
        {
            var node = await Polling.GetAsync(context, $"{url}/trials?page={page}&pageSize={TrialPageSize}&sort=number", interval);
            var trials = CommandContext.Read<TrialsPage>(node);
            var items = trials.Items ?? [];
            foreach (var trial in items.Where(t => t.IsFinished).OrderBy(t => t.Number))
                if (printed.Add(trial.Id)) context.Progress.WriteLine(Line(trial, search.MaxTrials));
            // The server may cap the page size below what we asked for; its own pageSize says how full a page is.
            int pageSize = trials.PageSize > 0 ? trials.PageSize : TrialPageSize;
            bool full = items.Count >= pageSize;
            if (full && page == firstOpenPage && items.All(t => t.IsFinished)) firstOpenPage++;
            if (!full || (long)page * pageSize >= trials.Total) return;
        }
    }

    public static string Line(Trial trial, int? maxTrials)
    {
        string head = maxTrials is { } max ? $"trial {trial.Number}/{max} {trial.Status}" : $"trial {trial.Number} {trial.Status}";
        if (trial.Status != SearchStatus.Succeeded)
            return trial.Error is { Length: > 0 } error ? $"{head}  {error.ReplaceLineEndings(" ")}" : head;
        string timing = trial.FromCache == true ? "(cached)" : $"({Fmt.Seconds(trial.Seconds)})";
        return $"{head}  val {Fmt.Percent(trial.ValidationMetric)}  latency {Fmt.Ms(trial.LatencyMs)}  reward {Fmt.Reward(trial.Reward)}  {timing}";
    }
}
