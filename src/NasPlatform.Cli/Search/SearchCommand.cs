using System.Text.Json;
using System.Text.Json.Nodes;
using NasPlatform.Engine.Components;
using NasPlatform.Engine.Datasets;
using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Objectives;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Priors;
using NasPlatform.Engine.Strategies;
using NasPlatform.Engine.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace NasPlatform.Cli.Search;

/// <summary>`search`: load the data, run the search with live progress, write the result folder.</summary>
public sealed class SearchCommand(IAnsiConsole console) : Command<SearchCommandSettings>
{
    /// <summary>Written after every trial; `--resume` continues from it.</summary>
    public const string CheckpointFile = "checkpoint.json";

    /// <summary>A one-shot search's run state, written after every step; `--resume` continues from it.</summary>
    public const string OneShotCheckpointFile = "one-shot.ckpt";

    public override int Execute(CommandContext context, SearchCommandSettings settings, CancellationToken cancellationToken)
    {
        if (settings.ListsComponents)
        {
            ListComponents(SearchCatalog.BuiltIn);
            return 0;
        }
        ToOptions(settings, trainCount: null);
        var bundle = LoadData(settings);
        var options = ToOptions(settings, bundle.Train.Count);
        // The data says the task: images with masks are segmentation, with boxes detection.
        if (bundle.Train.Masks is not null) options = options with { Task = Engine.Tasks.Segmentation.SegmentationTask.TaskName };
        if (bundle.Train.Boxes is not null) options = options with { Task = Engine.Tasks.Detection.DetectionTask.TaskName };
        var checkpointPath = Path.Combine(settings.Out, CheckpointFile);
        SearchCheckpoint? resume = null;
        if (settings.Resume && File.Exists(checkpointPath))
        {
            resume = SearchCheckpoint.FromJson(File.ReadAllText(checkpointPath));
            console.MarkupLineInterpolated($"resuming after trial {resume.Trials.Count} from {checkpointPath}");
        }
        var oneShotPath = Path.Combine(settings.Out, OneShotCheckpointFile);
        // Read into memory: the file is replaced after every step while the run goes on.
        using var oneShotResume = settings.Resume && File.Exists(oneShotPath) ? new MemoryStream(File.ReadAllBytes(oneShotPath)) : null;
        Directory.CreateDirectory(settings.Out);
        var view = new SearchProgressView(options, resume?.Trials ?? []);

        void Persist(SearchEvent e)
        {
            if (e is CheckpointReady c) WriteAtomically(checkpointPath, c.Checkpoint.ToJson());
            if (e is OneShotStepped o)
            {
                using (var file = File.Create(oneShotPath + ".tmp")) o.Run.SaveCheckpoint(file);
                File.Move(oneShotPath + ".tmp", oneShotPath, overwrite: true);
            }
        }

        SearchResult result;
        if (console.Profile.Capabilities.Interactive)
        {
            result = console.Live(view.Render()).AutoClear(false).Start(ctx =>
                new SearchRunner(bundle, options, e => { Persist(e); view.Apply(e); ctx.UpdateTarget(view.Render()); }, resumeFrom: resume, oneShotCheckpoint: oneShotResume)
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
            }, resumeFrom: resume, oneShotCheckpoint: oneShotResume).Run(cancellationToken);
        }
        try
        {
            var summary = new DatasetSummary(Path.GetFullPath(settings.Data), bundle.Format, bundle.Train.Count, bundle.Test.Count,
                bundle.Train.Channels, bundle.Train.Height, bundle.Train.Width, bundle.Train.ClassNames);
            ResultWriter.Write(settings.Out, result, summary);
        }
        finally
        {
            result.Final.Network.Dispose();
        }
        var f = result.Final;
        console.MarkupLineInterpolated(
            $"[green]done[/] test {result.Metric} [bold]{f.Test.Metric:P2}[/], latency [bold]{f.Latency.MedianMs:0.###} ms[/] (budget {options.LatencyBudgetMs:0.###} ms), {result.Selected.Parameters:N0} parameters, {result.Selected.MultiplyAdds / 1e6:0.##}M MACs, reward {f.Reward:0.####}, {result.Seconds / 60:0.#} min");
        console.MarkupLineInterpolated($"wrote {Path.Combine(settings.Out, ResultWriter.ResultFile)}");
        foreach (var b in result.Baselines.Where(b => b.Status == Engine.Zoo.BaselineResult.Trained))
        {
            bool dominated = b.DominatedBy(f.Test.Metric, f.Latency.MedianMs);
            console.MarkupLineInterpolated(
                $"  baseline {b.Name,-16} test {b.Test!.Metric:P2}, {b.Latency!.MedianMs:0.###} ms: {(dominated ? "[green]dominated by the searched model[/]" : "[yellow]not dominated[/]")}");
        }
        if (f.Budget.Outcome == LatencyBudget.OverBudget)
        {
            console.MarkupLineInterpolated($"[red]over budget[/] {f.Budget.Message}");
            return OverBudgetExitCode;
        }
        return 0;
    }

    private static void WriteAtomically(string path, string text)
    {
        File.WriteAllText(path + ".tmp", text);
        File.Move(path + ".tmp", path, overwrite: true);
    }

    private void ListComponents(SearchCatalog catalog)
    {
        void Section<T>(string title, Registry<T> registry) where T : IRegistered
        {
            console.WriteLine($"{title}:");
            foreach (var item in registry.All) console.WriteLine($"  {item.Name,-14} {item.Description}");
        }
        Section("spaces (--space)", catalog.Spaces);
        Section("strategies (--strategy)", catalog.Strategies);
        Section("objectives (--objective)", catalog.Objectives);
        Section("tasks", catalog.Tasks);
    }

    private static DatasetBundle LoadData(SearchCommandSettings s)
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

    /// <summary>Exit code of a search whose final model misses its hard latency budget (the model is still written).</summary>
    public const int OverBudgetExitCode = 3;

    /// <summary>The settings as engine options; component options are checked the way the platform checks them.
    /// Training lengths left open are sized for <paramref name="trainCount"/> images (null: a nominal size, to check the options early).</summary>
    internal static SearchOptions ToOptions(SearchCommandSettings s, int? trainCount)
    {
        var options = new SearchOptions
        {
            LatencyBudgetMs = s.LatencyMs!.Value,
            Constraint = MnasReward.Parse(s.Constraint),
            Space = s.Space,
            SpaceOptions = SpaceOptions(s),
            Strategy = s.Strategy,
            StrategyOptions = StrategyOptionsOf(s),
            EarlyStopping = s.EarlyStopping,
            Objective = s.Objective,
            ObjectiveOptions = ComponentOptions.FromPairs(s.ObjectiveOptions),
            Prior = new PriorOptions { Name = s.Prior, Weight = s.PriorWeight ?? PriorOptions.DefaultWeight, Expert = s.PriorExpert },
            MaxTrials = s.Trials,
            MaxMinutes = s.Minutes,
            MaxTotalMinutes = s.TotalMinutes,
            Seed = s.Seed,
            Baselines = s.Baselines,
            BaselineFamilies = s.BaselineFamilies?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            Threads = s.Threads ?? Math.Max(1, Environment.ProcessorCount),
            Device = s.Device,
            Training = new TrainingOptions { HorizontalFlip = s.Flip, ErasingProbability = s.Erasing, EmaDecay = s.Ema },
            Latency = new LatencyOptions { Threads = s.LatencyThreads, TimedRuns = s.LatencyRuns, Method = Enum.Parse<LatencyMethod>(s.LatencyMethod, ignoreCase: true),
                Runtime = Enum.Parse<LatencyRuntime>(s.LatencyRuntime, ignoreCase: true) },
        };
        var fidelity = TrainingDefaults.For(trainCount ?? TrainingDefaults.SmallDataset, options.ValidationFraction,
            new FidelityRequest(s.ProxyEpochs, s.ProxyFraction, s.FinalEpochs, s.BatchSize));
        options = TrainingDefaults.Apply(options, fidelity);
        options.Validate();
        return options;
    }

    /// <summary>--strategy-option pairs, with the dedicated flags (--base-strategy, --darts-order) taking precedence.</summary>
    private static StrategyOptions StrategyOptionsOf(SearchCommandSettings s)
    {
        var options = ComponentOptions.Read<StrategyOptions>(ComponentOptions.FromPairs(s.StrategyOptions), $"the {s.Strategy} strategy");
        if (s.BaseStrategy is { } b) options = options with { BaseStrategy = b };
        if (s.DartsOrder is { } order) options = options with { DartsOrder = order };
        return options;
    }

    private static JsonElement? SpaceOptions(SearchCommandSettings s)
    {
        var pairs = ComponentOptions.FromPairs(s.SpaceOptions);
        if (s.WidthScale is not { } scale) return pairs;
        var obj = pairs is { } p ? JsonObject.Create(p)! : new JsonObject();
        obj["widthScale"] = scale;
        return JsonSerializer.SerializeToElement(obj);
    }
}
