namespace NasPlatform.Platform.Webhooks;

/// <summary>The events a webhook can ask for, by the names receivers see in the payload and the X-NasPlatform-Event header.</summary>
public static class WebhookEvents
{
    public const string SearchStarted = "search.started";
    public const string TrialFinished = "trial.finished";
    public const string SearchSucceeded = "search.succeeded";
    public const string SearchFailed = "search.failed";
    public const string SearchCancelled = "search.cancelled";

    public static readonly IReadOnlyList<string> All = [SearchStarted, TrialFinished, SearchSucceeded, SearchFailed, SearchCancelled];

    /// <summary>The requested names, de-duplicated in <see cref="All"/>'s order; none requested means all of them.</summary>
    public static IReadOnlyList<string> Normalize(IEnumerable<string>? requested, out string? error)
    {
        error = null;
        var names = (requested ?? []).Select(n => n.Trim().ToLowerInvariant()).Where(n => n.Length > 0).ToHashSet();
        var unknown = names.Where(n => !All.Contains(n)).ToList();
        if (unknown.Count > 0)
        {
            error = $"Unknown event(s) {string.Join(", ", unknown.Select(u => $"'{u}'"))}; known: {string.Join(", ", All)}.";
            return [];
        }
        return names.Count == 0 ? All : All.Where(names.Contains).ToList();
    }

    public static IReadOnlyList<string> Parse(string stored) => stored.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
