using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using NasPlatform.Data.Entities;
using NasPlatform.Platform.Accounts;
using NasPlatform.Platform.Configuration;
using NasPlatform.Platform.Datasets;
using NasPlatform.Platform.Devices;

namespace NasPlatform.Web.Api;

public sealed record DeviceRequest(string? Name);

/// <param name="Target">What a search names as its latencyDevice.</param>
/// <param name="Token">Only in the answer to the creation: the agent's token, shown this once.</param>
public sealed record DeviceDto(Guid Id, string Name, string Target, bool Online, DateTimeOffset? LastSeenAt, string? Hardware, DateTimeOffset CreatedAt,
    string? Token = null)
{
    public static DeviceDto From(EdgeDevice d, bool online, string? token = null) =>
        new(d.Id, d.Name, EdgeDeviceService.TargetPrefix + d.Name, online, d.LastSeenAt, d.Hardware, d.CreatedAt, token);
}

/// <summary>Users' edge devices (their tokens are what the latency agent runs with).</summary>
public static class DevicesApi
{
    public static void MapDevicesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/devices").WithTags("Devices");
        api.MapPost("/", Create).WithName("CreateDevice")
            .WithSummary("Register an edge device measured by a latency agent (NasPlatform.Agent); the answer holds the agent's token, shown only this once. " +
                "Searches name it as latencyDevice = agent:NAME")
            .ProducesProblem(400).ProducesProblem(409).RequireWrite();
        api.MapGet("/", List).WithName("ListDevices").WithSummary("Your edge devices, whether their agent is online, and the hardware it reported");
        api.MapDelete("/{id:guid}", Delete).WithName("DeleteDevice").WithSummary("Remove a device: its token stops working, its queued measurements are dropped").RequireWrite();
    }

    private static async Task<Results<Created<DeviceDto>, ProblemHttpResult>> Create(DeviceRequest request, ClaimsPrincipal user, EdgeDeviceService devices,
        CancellationToken ct)
    {
        try
        {
            var created = await devices.CreateAsync(Caller.Of(user), request.Name, ct);
            return TypedResults.Created($"/api/v1/devices/{created.Device.Id}", DeviceDto.From(created.Device, false, created.Token));
        }
        catch (PlatformException e)
        {
            return Problems.From(e);
        }
    }

    private static async Task<Ok<List<DeviceDto>>> List(ClaimsPrincipal user, EdgeDeviceService devices, CancellationToken ct) =>
        TypedResults.Ok((await devices.ListAsync(Caller.Of(user), ct)).Select(d => DeviceDto.From(d, devices.IsOnline(d))).ToList());

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, ClaimsPrincipal user, EdgeDeviceService devices, CancellationToken ct) =>
        await devices.DeleteAsync(Caller.Of(user), id, ct) ? TypedResults.NoContent() : Problems.NotFound("Device", id);
}
