namespace NasPlatform.Web.Components.Pages.Searches;

/// <summary>The best trial so far, as the search page summarises it.</summary>
public sealed record BestTrialInfo(Guid Id, int Number, double? ValidationMetric, double? LatencyMs, double? Reward, long Parameters);
