using NasPlatform.Engine.Datasets;
using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Objective;
using NasPlatform.Engine.Search;
using NasPlatform.Engine.SearchSpace;
using NasPlatform.Engine.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace NasPlatform.Cli.Search;

/// <summary>`search`: load the data, run the search with live progress, write the result folder.</summary>
public sealed class SearchCommand(IAnsiConsole console) : Command<SearchSettings>
{
    /// <summary>Written after every trial; `--resume` continues from it.</summary>
    public const string CheckpointFile = "checkpoint.json";

    public override int Execute(CommandContext context, SearchSettings settings, CancellationToken cancellationToken)
    {
        var bundle = LoadData(settings);
        var options = ToOptions(settings);
        var checkpointPath = Path.Combine(settings.Out, CheckpointFile);
        SearchCheckpoint? resume = null;
        if (settings.Resume && File.Exists(checkpointPath))
        {
            resume = SearchCheckpoint.FromJson(File.ReadAllText(checkpointPath));
            console.MarkupLineInterpolated($"resuming after trial {resume.Trials.Count} from {checkpointPath}");
        }
        Directory.CreateDirectory(settings.Out);
        var view = new SearchProgressView(options, resume?.Trials ?? []);

        void Persist(SearchEvent e)
        {
            if (e is CheckpointReady c) WriteAtomically(checkpointPath, c.Checkpoint.ToJson());
        }

        SearchResult result;
        if (console.Profile.Capabilities.Interactive)
        {
            result = console.Live(view.Render()).AutoClear(false).Start(ctx =>
                new SearchRunner(bundle, options, e => { Persist(e); view.Apply(e); ctx.UpdateTarget(view.Render()); }, resumeFrom: resume)
                    .Run(cancellationToken));
        }
        else
        {
            // Logs and CI: one plain line per trial instead of a redrawn screen, never wrapped.
            console.Profile.Width = Math.Max(console.Profile.Width, 1000);
            result = new SearchRunner(bundle, options, e =>
            {
                Persist(e);
                var line = view.Apply(e);
                if (line is not null) console.WriteLine(line);
            }, resumeFrom: resume).Run(cancellationToken);
        }
        try
        {
            var summary = new DatasetSummary(Path.GetFullPath(settings.Data), bundle.Format, bundle.Train.Count, bundle.Test.Count,
                bundle.Train.Channels, bundle.Train.Height, bundle.Train.Width, bundle.Train.ClassNames);
            ResultWriter.Write(settings.Out, result, options, summary);
        }
        finally
        {
            result.Final.Network.Dispose();
        }
        var f = result.Final;
        console.MarkupLineInterpolated(
            $"[green]done[/] test accuracy [bold]{f.TestAccuracy:P2}[/], latency [bold]{f.Latency.MedianMs:0.###} ms[/] (budget {options.LatencyBudgetMs:0.###} ms), {f.Selected.Parameters:N0} parameters, {f.Selected.MultiplyAdds / 1e6:0.##}M MACs, reward {f.Reward:0.####}, {result.Seconds / 60:0.#} min");
        console.MarkupLineInterpolated($"wrote {Path.Combine(settings.Out, ResultWriter.ResultFile)}");
        return 0;
    }

    private static void WriteAtomically(string path, string text)
    {
        File.WriteAllText(path + ".tmp", text);
        File.Move(path + ".tmp", path, overwrite: true);
    }

    private static DatasetBundle LoadData(SearchSettings s)
    {
        if (!File.Exists(s.Data) && !Directory.Exists(s.Data))
            throw new DatasetFormatException($"--data '{s.Data}' does not exist.");
        return DatasetLoader.Load(s.Data, s.Format, new ImageFolderOptions
        {
            Width = s.ImageSize,
            Height = s.ImageSize,
            Channels = s.Grayscale ? 1 : 3,
        });
    }

    private static SearchOptions ToOptions(SearchSettings s) => new()
    {
        LatencyBudgetMs = s.LatencyMs!.Value,
        Constraint = MnasReward.Parse(s.Constraint),
        Strategy = s.Strategy,
        MaxTrials = s.Trials,
        MaxMinutes = s.Minutes,
        ProxyEpochs = s.ProxyEpochs,
        ProxyFraction = s.ProxyFraction,
        FinalEpochs = s.FinalEpochs,
        Seed = s.Seed,
        Space = new MnasSpaceOptions { WidthScale = s.WidthScale },
        Threads = s.Threads ?? Math.Max(1, Environment.ProcessorCount),
        Device = s.Device,
        Training = new TrainingOptions { BatchSize = s.BatchSize, HorizontalFlip = s.Flip },
        Latency = new LatencyOptions { Threads = s.LatencyThreads, TimedRuns = s.LatencyRuns },
    };
}
