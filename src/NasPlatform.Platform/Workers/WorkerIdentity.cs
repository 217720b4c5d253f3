using Microsoft.Extensions.Options;
using NasPlatform.Platform.Configuration;

namespace NasPlatform.Platform.Workers;

/// <summary>This process as a worker: its id (host:pid) and the device class it serves.</summary>
public sealed class WorkerIdentity(IOptions<PlatformOptions> options)
{
    public string Id { get; } = $"{Environment.MachineName}:{Environment.ProcessId}";
    public string Host => Environment.MachineName;
    public string DeviceClass => options.Value.Worker.DeviceClass;

    /// <summary>The Hangfire queues a worker of this device class serves, control work included.</summary>
    public string[] Queues => [DeviceClass, Jobs.HangfireJobScheduler.ControlQueue];
}
