using NasPlatform.Cli.Search;
using Spectre.Console;
using Spectre.Console.Cli;

namespace NasPlatform.Cli;

/// <summary>The command-line front end of the search engine.</summary>
public static class CliApp
{
    /// <summary>Runs the CLI; the console can be replaced (tests capture it).</summary>
    public static int Run(string[] args, IAnsiConsole? console = null)
    {
        console ??= AnsiConsole.Console;
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("nasplatform");
            config.ConfigureConsole(console);
            config.AddCommand<SearchCommand>("search")
                .WithDescription("Search for an accurate network within a latency budget measured on this machine, then train it fully.")
                .WithExample("search", "--data", "/usr/share/datasets/fashion-mnist", "--latency-ms", "1", "--out", "runs/fmnist");
            config.AddBranch("datasets", datasets =>
            {
                datasets.SetDescription("Dataset tools.");
                datasets.AddCommand<Datasets.SynthCommand>("synth")
                    .WithDescription("Make a demo set for a task from a classification set of small items placed on larger canvases (segmentation: with masks; detection: with boxes, as COCO).")
                    .WithExample("datasets", "synth", "--task", "segmentation", "--from", "/usr/share/datasets/fashion-mnist", "--out", "runs/fmnist-seg")
                    .WithExample("datasets", "synth", "--task", "detection", "--from", "/usr/share/datasets/fashion-mnist", "--out", "runs/fmnist-det");
            });
            // One line with the reason, never a stack trace: scripts and CI read this.
            config.SetExceptionHandler((ex, _) =>
            {
                console.MarkupLineInterpolated($"[red]error:[/] {OneLine(ex)}");
                return ex is CommandAppException ? 2 : 1;
            });
        });
        return app.Run(args);
    }

    internal static string OneLine(Exception ex)
    {
        var message = ex is AggregateException { InnerException: { } inner } ? inner.Message : ex.Message;
        return message.ReplaceLineEndings(" ").Trim();
    }
}
