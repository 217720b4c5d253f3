using System.Text.Json;
using NasPlatform.Engine.OneShot;

namespace NasPlatform.Platform.Searches;

/// <summary>
/// A one-shot search's progress as stored on the search (its strategy state): every step so far, in
/// order, so pages can chart the whole run (losses, architecture weights per edge) after the fact.
/// </summary>
public static class OneShotSteps
{
    /// <summary>The stored steps; none when nothing (or something else) is stored.</summary>
    public static List<OneShotProgress> Read(string? stored)
    {
        if (string.IsNullOrEmpty(stored) || !stored.TrimStart().StartsWith('[')) return [];
        try
        {
            return JsonSerializer.Deserialize<List<OneShotProgress>>(stored, TrialRows.Json) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    /// <summary>The steps with <paramref name="step"/> last; a resumed run's steps replace any stored for the same or later epochs.</summary>
    public static string Append(string? stored, OneShotProgress step)
    {
        var steps = Read(stored);
        steps.RemoveAll(s => s.Epoch >= step.Epoch);
        steps.Add(step);
        return JsonSerializer.Serialize(steps, TrialRows.Json);
    }
}
