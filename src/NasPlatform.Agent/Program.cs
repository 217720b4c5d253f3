using NasPlatform.Agent;

// nasplatform-agent --url https://nas.example.com --token nasd_... [--threads 1] [--name NAME] [--once]
// The token and URL may come from NAS_AGENT_TOKEN / NAS_AGENT_URL instead (keeps the token out of `ps`).
if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine("""
        NasPlatform latency agent: measures models on this device for searches whose latency device is agent:NAME.
          --url URL        the platform (or NAS_AGENT_URL)
          --token TOKEN    the device's token from POST /api/v1/devices (or NAS_AGENT_TOKEN)
          --threads N      intra-op threads, overriding what each measurement asks (default: as asked, usually 1)
          --name NAME      this agent's name in the platform's records (default: the host name)
          --once           measure at most one model, then exit
        """);
    return 0;
}
string? url = Arg("--url") ?? Environment.GetEnvironmentVariable("NAS_AGENT_URL");
string? token = Arg("--token") ?? Environment.GetEnvironmentVariable("NAS_AGENT_TOKEN");
if (url is null || token is null || !Uri.TryCreate(url, UriKind.Absolute, out var platform))
{
    Console.Error.WriteLine("Give the platform's --url and the device's --token (see --help).");
    return 2;
}
// A test hook: hold each model this long before measuring (a slow device, so a test can stop the agent mid-measurement).
var hold = TimeSpan.FromSeconds(double.TryParse(Environment.GetEnvironmentVariable("NAS_AGENT_HOLD_SECONDS"),
    System.Globalization.CultureInfo.InvariantCulture, out var seconds) ? seconds : 0);
var settings = new AgentSettings(platform, token, Arg("--name") ?? Environment.MachineName, int.TryParse(Arg("--threads"), out var t) ? t : 0,
    args.Contains("--once"), hold);
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
try
{
    return await new AgentLoop(settings, Console.Out).RunAsync(stop.Token);
}
catch (OperationCanceledException)
{
    return 0;
}

string? Arg(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
