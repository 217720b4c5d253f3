using System.Text.Json.Nodes;
using NasPlatform.Ctl.CommandLine;
using NasPlatform.Ctl.Http;
using NasPlatform.Ctl.Output;

namespace NasPlatform.Ctl.Devices;

/// <summary>devices add | list | delete: edge devices whose latency agent measures searches' models.</summary>
public static class DeviceCommands
{
    public static IReadOnlyList<CommandSpec> Specs { get; } =
    [
        new("devices", "add", "NAME", "Register an edge device; prints the agent's token (shown only once) and how to start the agent.", [],
            ["nasctl devices add pi5"], AddAsync),
        new("devices", "list", "", "List your edge devices and whether their agent is online.", [], ["nasctl devices list"], ListAsync),
        new("devices", "delete", "ID", "Remove a device: its token stops working, its queued measurements are dropped.", [],
            ["nasctl devices delete 8a2b3c4d-5e6f-4a1b-9c2d-3e4f5a6b7c8d"], DeleteAsync),
    ];

    private static async Task<int> AddAsync(CommandContext context)
    {
        var node = await context.Api.PostAsync("api/v1/devices", new JsonObject { ["name"] = context.Positional(0) }, context.Cancellation);
        if (context.Json)
        {
            context.WriteJson(node);
            return ExitCodes.Success;
        }
        var device = CommandContext.Read<Device>(node);
        context.Out.WriteLine($"device {device.Id} '{device.Name}': searches name it --latency-device {device.Target}");
        context.Out.WriteLine($"token  {device.Token}   (shown once)");
        context.Out.WriteLine($"on the device: NAS_AGENT_TOKEN={device.Token} nasplatform-agent --url <this platform's URL>");
        return ExitCodes.Success;
    }

    private static async Task<int> ListAsync(CommandContext context)
    {
        var node = await context.Api.GetAsync("api/v1/devices", context.Cancellation);
        if (context.Json)
        {
            context.WriteJson(node);
            return ExitCodes.Success;
        }
        var devices = CommandContext.Read<List<Device>>(node);
        if (devices.Count == 0)
        {
            context.Out.WriteLine("no devices");
            return ExitCodes.Success;
        }
        Table.Write(context.Out, ["ID", "LATENCY DEVICE", "AGENT", "LAST SEEN", "HARDWARE"],
            devices.Select(d => (IReadOnlyList<string>)[d.Id, d.Target ?? "", d.Online ? "online" : "offline", Fmt.Time(d.LastSeenAt), d.Hardware ?? "-"]));
        return ExitCodes.Success;
    }

    private static async Task<int> DeleteAsync(CommandContext context)
    {
        string id = context.Positional(0);
        await context.Api.DeleteAsync($"api/v1/devices/{Polling.Segment(id)}", context.Cancellation);
        if (context.Json) context.WriteJson(new JsonObject { ["id"] = id, ["deleted"] = true });
        else context.Out.WriteLine($"deleted device {id}");
        return ExitCodes.Success;
    }
}
