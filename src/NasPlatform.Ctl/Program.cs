using System.Collections;
using NasPlatform.Ctl;

var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
    environment[(string)entry.Key] = entry.Value as string;

using var stop = new CancellationTokenSource();
// The first Ctrl-C ends the run cleanly (the search keeps going on the server); a second one kills the process.
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = !stop.IsCancellationRequested;
    stop.Cancel();
};

return await NasctlApp.RunAsync(args, environment, Console.Out, Console.Error, stop.Token);
