using System.Diagnostics;
using NasPlatform.Engine.Pipeline;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace NasPlatform.Cli.Search;

/// <summary>Keeps the search's state for the terminal: a progress bar, the current step and a table of trials.</summary>
internal sealed class SearchProgressView
{
    private const int TableRows = 15;
    private readonly SearchOptions options;
    private readonly List<TrialRecord> _trials;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private string _status = "loading";
    private TrialRecord? _best;

    /// <param name="earlier">Trials of a resumed search, shown as if they had just run.</param>
    public SearchProgressView(SearchOptions options, IReadOnlyList<TrialRecord> earlier)
    {
        this.options = options;
        _trials = [.. earlier];
        _best = earlier.Where(t => !t.Failed).MaxBy(t => t.Reward);
    }

    /// <summary>Updates the state; returns a line for non-interactive output, if the event deserves one.</summary>
    public string? Apply(SearchEvent e)
    {
        switch (e)
        {
            case SearchStarted s:
                _status = $"searching: {s.TrainCount} train / {s.ValidationCount} validation images, space of {s.SpaceSize:0.##e+0} architectures";
                return $"search started: strategy {options.Strategy}, {options.MaxTrials} trials, budget {options.LatencyBudgetMs} ms ({options.Constraint.ToString().ToLowerInvariant()}), {s.TrainCount} train / {s.ValidationCount} validation / {s.TestCount} test images";
            case TrialStarted t:
                _status = $"trial {t.Trial}: training {t.Candidate.Hash} ({t.Candidate.Cost.Parameters:N0} parameters)";
                return null;
            case EpochFinished { Trial: > 0 } ep:
                _status = $"trial {ep.Trial}: epoch {ep.Report.Epoch}/{ep.Report.Epochs}, loss {ep.Report.TrainLoss:0.###}, val {ep.Report.ValidationMetric:P1}, {ep.Report.ImagesPerSecond:0} img/s";
                return null;
            case EpochFinished ep:
                _status = $"final training: epoch {ep.Report.Epoch}/{ep.Report.Epochs}, loss {ep.Report.TrainLoss:0.###}, train {ep.Report.TrainMetric:P1}, {ep.Report.ImagesPerSecond:0} img/s";
                return $"final epoch {ep.Report.Epoch}/{ep.Report.Epochs}: loss {ep.Report.TrainLoss:0.####}, train metric {ep.Report.TrainMetric:P2}";
            case TrialFinished f:
                _trials.Add(f.Record);
                if (!f.Record.Failed && (_best is null || f.Record.Reward > _best.Reward)) _best = f.Record;
                var r = f.Record;
                if (r.Skipped) return $"trial {r.Trial}/{options.MaxTrials}: {r.Error}";
                if (r.Failed) return $"trial {r.Trial}/{options.MaxTrials}: failed: {r.Error}";
                return $"trial {r.Trial}/{options.MaxTrials}: val {r.ValidationMetric:P2}, latency {r.LatencyMs:0.###} ms, {r.Parameters:N0} params, {r.MultiplyAdds / 1e6:0.##}M MACs, reward {r.Reward:0.####}{(r.FromCache ? " (cached)" : "")}, {r.Seconds:0.#} s";
            case OneShotStepped o:
                var p = o.Progress;
                _status = $"one-shot step {p.Epoch}/{p.Epochs}";
                // Hundreds of architecture weights (alpha.*) would drown the line; the page charts them.
                return $"one-shot step {p.Epoch}/{p.Epochs}: "
                       + string.Join(", ", p.Values.Where(v => !Engine.OneShot.OneShotProgress.IsArchitectureWeight(v.Key))
                           .Select(v => $"{v.Key} {v.Value:0.####}"));
            case FinalTrainingStarted s:
                _status = $"final training of trial {s.Best.Trial} for {s.Epochs} epochs on {s.TrainCount} images";
                var checks = s.Finalists is { Count: > 0 } finalists
                    ? "; finalists measured again: " + string.Join(", ", finalists.Select(c => $"trial {c.Trial} {c.TrialLatencyMs:0.###} -> {c.RemeasuredMs:0.###} ms{(c.WithinBudget ? "" : " (over)")}"))
                    : "";
                return $"best trial {s.Best.Trial} (reward {s.Best.Reward:0.####}): final training for {s.Epochs} epochs on {s.TrainCount} images{checks}"
                       + (s.Shortened is { } why ? $" ({why})" : "");
            case BaselineStarted b:
                _status = $"baseline {b.Index}/{b.Count}: {b.Name}";
                return null;
            case BaselineFinished { Result: var b }:
                return b.Status == Engine.Zoo.BaselineResult.Trained
                    ? $"baseline {b.Name}: test {b.Test!.Metric:P2}, latency {b.Latency!.MedianMs:0.###} ms, {b.Cost.Parameters:N0} params, {b.Seconds:0} s"
                    : $"baseline {b.Name}: {b.Status}: {b.Reason}";
            case SearchFinished:
                _status = "finished";
                return null;
            default:
                return null;
        }
    }

    public IRenderable Render()
    {
        int done = _trials.Count, total = options.MaxTrials;
        const int width = 40;
        int filled = total == 0 ? 0 : (int)Math.Round(width * (double)done / total);
        var bar = new Markup($"[green]{new string('━', filled)}[/][grey]{new string('━', width - filled)}[/] {done}/{total} trials  {_clock.Elapsed:hh\\:mm\\:ss}" +
                             (_best is null ? "" : $"  best: trial {_best.Trial}, reward {_best.Reward:0.####}"));
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumns("#", "architecture", "val metric", "latency ms", "params", "MMACs", "reward", "s");
        foreach (var t in _trials.TakeLast(TableRows))
        {
            string style = ReferenceEquals(t, _best) ? "bold green" : t.LatencyMs > options.LatencyBudgetMs ? "yellow" : "default";
            table.AddRow(
                new Markup($"[{style}]{t.Trial}[/]"), new Text(t.ArchitectureHash),
                new Text($"{t.ValidationMetric:P2}"), new Markup($"[{style}]{t.LatencyMs:0.###}[/]"),
                new Text($"{t.Parameters:N0}"), new Text($"{t.MultiplyAdds / 1e6:0.##}"),
                new Markup($"[{style}]{t.Reward:0.####}[/]"), new Text($"{t.Seconds:0.#}"));
        }
        return new Rows(bar, new Markup($"[grey]{Markup.Escape(_status)}[/]"), table);
    }
}
