using System.Net;
using System.Net.Http.Json;
using System.Runtime.InteropServices;

namespace NasPlatform.Agent;

public sealed record AgentSettings(Uri Platform, string Token, string Name, int Threads, bool Once, TimeSpan HoldBeforeMeasuring);

/// <summary>
/// Connects out to the platform (so a device behind NAT works), says hello with its hardware, then asks
/// for its device's measurements in a long poll, times each model and posts the figures. A lost
/// connection is retried with back-off; a measurement this agent never finishes is handed to another
/// agent of the device by the platform when its lease runs out.
/// </summary>
public sealed class AgentLoop(AgentSettings settings, TextWriter log)
{
    private readonly HttpClient _http = new() { BaseAddress = settings.Platform, Timeout = TimeSpan.FromMinutes(2) };

    public static string Hardware() =>
        $"{RuntimeInformation.OSDescription}; {RuntimeInformation.ProcessArchitecture}; {Environment.ProcessorCount} cores; .NET {Environment.Version}";

    public async Task<int> RunAsync(CancellationToken ct)
    {
        _http.DefaultRequestHeaders.Add("X-Device-Token", settings.Token);
        var backoff = TimeSpan.FromSeconds(1);
        bool greeted = false;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (!greeted)
                {
                    using var hello = await _http.PostAsJsonAsync("/api/v1/agent/hello", new { agent = settings.Name, hardware = Hardware() }, ct);
                    if (hello.StatusCode == HttpStatusCode.Unauthorized)
                    {
                        log.WriteLine("The platform refused the device token (deleted device, or a wrong token).");
                        return 3;
                    }
                    hello.EnsureSuccessStatusCode();
                    var answer = await hello.Content.ReadFromJsonAsync<Hello>(ct);
                    log.WriteLine($"connected to {settings.Platform} as device '{answer?.Device}' ({Hardware()})");
                    greeted = true;
                }
                using var next = await _http.PostAsJsonAsync("/api/v1/agent/jobs/next", new { agent = settings.Name }, ct);
                if (next.StatusCode == HttpStatusCode.NoContent)
                {
                    if (settings.Once) return 0;
                    continue;
                }
                next.EnsureSuccessStatusCode();
                var job = await next.Content.ReadFromJsonAsync<JobSpec>(ct) ?? throw new InvalidDataException("An empty job.");
                await MeasureAsync(job, ct);
                backoff = TimeSpan.FromSeconds(1);
                if (settings.Once) return 0;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidDataException && !ct.IsCancellationRequested)
            {
                log.WriteLine($"platform unreachable ({e.Message}); retrying in {backoff.TotalSeconds:0} s");
                greeted = false;
                await Task.Delay(backoff, ct);
                backoff = TimeSpan.FromSeconds(Math.Min(60, backoff.TotalSeconds * 2));
            }
        }
        return 0;
    }

    private async Task MeasureAsync(JobSpec job, CancellationToken ct)
    {
        var model = await _http.GetByteArrayAsync(job.ModelUrl, ct);
        if (settings.HoldBeforeMeasuring > TimeSpan.Zero) await Task.Delay(settings.HoldBeforeMeasuring, ct);
        object result;
        try
        {
            var m = OnnxTimer.Measure(model, job, settings.Threads);
            log.WriteLine($"measurement {job.Id} (attempt {job.Attempt}): {m.MedianMs:0.000} ms per batch of {job.BatchSize}, {m.Runs} runs, {m.Threads} thread(s)");
            result = new { measurement = m };
        }
        catch (Exception e) when (e is Microsoft.ML.OnnxRuntime.OnnxRuntimeException or ArgumentException or InvalidOperationException)
        {
            log.WriteLine($"measurement {job.Id} failed: {e.Message}");
            result = new { error = $"ONNX Runtime could not run the model: {e.Message}" };
        }
        using var posted = await _http.PostAsJsonAsync($"/api/v1/agent/jobs/{job.Id}/result", result, ct);
        if (posted.StatusCode == HttpStatusCode.Conflict) log.WriteLine($"measurement {job.Id} was no longer ours (lease ran out): figures dropped");
        else posted.EnsureSuccessStatusCode();
    }

    private sealed record Hello(string Device, double PollWaitSeconds, double LeaseSeconds);
}
