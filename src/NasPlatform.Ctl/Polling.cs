using System.Text.Json.Nodes;
using NasPlatform.Ctl.Http;

namespace NasPlatform.Ctl;

/// <summary>
/// GETs made while waiting. A search runs for an hour; a server restart or a proxy's 502 in the middle
/// should not fail the CI job, so such blips are retried for a while. Answers that will not change
/// on a retry (404, 401, 403, validation) end the wait at once; 429 (slow down) is waited out like a blip.
/// </summary>
public static class Polling
{
    public static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    public static async Task<JsonNode> GetAsync(CommandContext context, string path, TimeSpan interval)
    {
        DateTimeOffset? failingSince = null;
        int failures = 0;
        while (true)
        {
            try
            {
                var node = await context.Api.GetAsync(path, context.Cancellation);
                if (failingSince is not null) context.Error.WriteLine("the server answers again.");
                return node;
            }
            catch (ApiException e) when (e.Status is null or 429 or >= 500)
            {
                var now = DateTimeOffset.UtcNow;
                failingSince ??= now;
                if (now - failingSince > Patience) throw;
                // The first failure and then every tenth: enough to see what happens without flooding the log.
                if (failures++ % 10 == 0)
                    context.Error.WriteLine($"warning: {e.Message.ReplaceLineEndings(" ")}; retrying for up to {Patience.TotalMinutes:0} minutes");
                await Task.Delay(interval, context.Cancellation);
            }
        }
    }

    public static string Segment(string id) => Uri.EscapeDataString(id);
}
