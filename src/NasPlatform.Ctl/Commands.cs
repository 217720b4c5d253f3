using NasPlatform.Ctl.CommandLine;
using NasPlatform.Ctl.Datasets;
using NasPlatform.Ctl.Models;
using NasPlatform.Ctl.Searches;
using NasPlatform.Ctl.Studies;
using NasPlatform.Ctl.Webhooks;

namespace NasPlatform.Ctl;

/// <summary>Every command nasctl knows, in the order help lists them.</summary>
public static class Commands
{
    public static IReadOnlyList<CommandSpec> All { get; } = [.. DatasetCommands.Specs, .. SearchCommands.Specs, .. ModelCommands.Specs, .. StudyCommands.Specs, .. WebhookCommands.Specs, .. Devices.DeviceCommands.Specs];
}
