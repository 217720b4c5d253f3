using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using NasPlatform.Data.Entities;
using NasPlatform.Platform.Configuration;
using NasPlatform.Platform.Devices;

namespace NasPlatform.Web.Api;

public sealed record AgentHello(string? Agent, string? Hardware);

public sealed record AgentHelloAnswer(string Device, double PollWaitSeconds, double LeaseSeconds);

/// <summary>A measurement handed to an agent: fetch the model, time it like this, post the figures before the lease ends.</summary>
public sealed record AgentJob(Guid Id, string ModelUrl, int BatchSize, int Channels, int Height, int Width, int WarmupRuns, int TimedRuns, int Rounds,
    int Threads, DateTimeOffset LeasedUntil, int Attempt)
{
    public static AgentJob From(LatencyJob j) => new(j.Id, $"/api/v1/agent/jobs/{j.Id}/model", j.BatchSize, j.Channels, j.Height, j.Width, j.WarmupRuns,
        j.TimedRuns, j.Rounds, j.Threads, j.LeasedUntil!.Value, j.Attempts);
}

/// <summary>The figures of one measurement, or the error that prevented it.</summary>
public sealed record AgentResult(AgentMeasurement? Measurement, string? Error);

/// <summary>
/// What latency agents call, with their device's token in X-Device-Token (not a user's token: an agent
/// can do nothing but take and answer its device's measurements). Agents only connect out, so a device
/// behind NAT works; waiting for work is a long poll.
/// </summary>
public static class AgentApi
{
    public const string TokenHeader = "X-Device-Token";

    public static void MapAgentApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/agent").WithTags("Agent").AllowAnonymous();
        api.MapPost("/hello", Hello).WithName("AgentHello").WithSummary("An agent announces itself and its hardware (device token in X-Device-Token)")
            .ProducesProblem(401);
        api.MapPost("/jobs/next", Next).WithName("AgentNextJob")
            .WithSummary("Lease the device's next measurement; held open up to the poll wait when there is none (204)").ProducesProblem(401);
        api.MapGet("/jobs/{id:guid}/model", Model).WithName("AgentJobModel").WithSummary("The ONNX model of a leased measurement").ProducesProblem(404);
        api.MapPost("/jobs/{id:guid}/result", Result).WithName("AgentJobResult")
            .WithSummary("The figures of a leased measurement (or its error); 409 when it is no longer leased").ProducesProblem(404).ProducesProblem(409);
    }

    private static Task<EdgeDevice?> DeviceAsync(HttpContext http, EdgeDeviceService devices, string? hardware = null) =>
        devices.AuthenticateAsync(http.Request.Headers[TokenHeader].FirstOrDefault(), hardware, http.RequestAborted);

    private static ProblemHttpResult Unauthorized() => Problems.Of(401, $"Send the device's token in {TokenHeader} (create a device at /api/v1/devices).");

    private static async Task<Results<Ok<AgentHelloAnswer>, ProblemHttpResult>> Hello(AgentHello hello, HttpContext http, EdgeDeviceService devices,
        IOptions<PlatformOptions> options) =>
        await DeviceAsync(http, devices, hello.Hardware) is { } device
            ? TypedResults.Ok(new AgentHelloAnswer(device.Name, options.Value.Agents.PollWaitSeconds, options.Value.Agents.LeaseSeconds))
            : Unauthorized();

    private static async Task<Results<Ok<AgentJob>, NoContent, ProblemHttpResult>> Next(AgentHello hello, HttpContext http, EdgeDeviceService devices,
        LatencyQueue queue, IOptions<PlatformOptions> options, double? wait = null)
    {
        if (await DeviceAsync(http, devices) is not { } device) return Unauthorized();
        string agent = string.IsNullOrWhiteSpace(hello.Agent) ? "agent" : hello.Agent.Trim()[..Math.Min(hello.Agent.Trim().Length, 200)];
        var deadline = DateTime.UtcNow.AddSeconds(Math.Clamp(wait ?? options.Value.Agents.PollWaitSeconds, 0, options.Value.Agents.PollWaitSeconds));
        while (true)
        {
            if (await queue.ClaimAsync(device.Id, agent, http.RequestAborted) is { } job) return TypedResults.Ok(AgentJob.From(job));
            if (DateTime.UtcNow >= deadline) return TypedResults.NoContent();
            await Task.Delay(250, http.RequestAborted);
        }
    }

    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> Model(Guid id, HttpContext http, EdgeDeviceService devices, LatencyQueue queue)
    {
        if (await DeviceAsync(http, devices) is not { } device) return Unauthorized();
        return await queue.ModelAsync(device.Id, id, http.RequestAborted) is { } stream
            ? TypedResults.Stream(stream, "application/octet-stream", $"{id}.onnx")
            : Problems.Of(404, $"Measurement {id} is not leased to this device.");
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Result(Guid id, AgentResult result, HttpContext http, EdgeDeviceService devices,
        LatencyQueue queue)
    {
        if (await DeviceAsync(http, devices) is not { } device) return Unauthorized();
        if (result.Measurement is { } m && !(m.MedianMs > 0 && double.IsFinite(m.MedianMs)))
            return Problems.Of(400, "measurement.medianMs must be a positive number of milliseconds.");
        return await queue.CompleteAsync(device.Id, id, result.Measurement, result.Error, http.RequestAborted)
            ? TypedResults.NoContent()
            : Problems.Of(409, $"Measurement {id} is not leased to this device any more (its lease ran out and it was measured elsewhere, or it failed).");
    }
}
