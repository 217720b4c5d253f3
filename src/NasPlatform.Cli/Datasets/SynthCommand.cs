using System.ComponentModel;
using NasPlatform.Engine.Datasets;
using NasPlatform.Engine.Datasets.Detection;
using NasPlatform.Engine.Datasets.Segmentation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace NasPlatform.Cli.Datasets;

public sealed class SynthSettings : CommandSettings
{
    [CommandOption("--task <TASK>")]
    [Description("What the demo set is for: segmentation (images/, masks/, classes.json) or detection (COCO: annotations.json, images/).")]
    [DefaultValue("segmentation")]
    public string Task { get; init; } = "segmentation";

    [CommandOption("--from <DIR>")]
    [Description("A classification set of small grey items to place on canvases, e.g. /usr/share/datasets/fashion-mnist (IDX).")]
    public string? From { get; init; }

    [CommandOption("--out <DIR>")]
    [Description("Where to write the set (created; must be empty or absent).")]
    public string? Out { get; init; }

    [CommandOption("--count <N>")]
    [Description("Images to make (default 2000).")]
    [DefaultValue(2000)]
    public int Count { get; init; } = 2000;

    [CommandOption("--size <PX>")]
    [Description("Canvas side in pixels (default 64).")]
    [DefaultValue(64)]
    public int Size { get; init; } = 64;

    [CommandOption("--seed <N>")]
    [DefaultValue(1L)]
    public long Seed { get; init; } = 1;

    public override ValidationResult Validate()
    {
        if (Task is not ("segmentation" or "detection")) return ValidationResult.Error($"--task {Task}: demo sets are made for segmentation or detection.");
        if (From is null || Out is null) return ValidationResult.Error("--from and --out are required.");
        if (Count is < 1 or > 1_000_000) return ValidationResult.Error("--count must be between 1 and 1000000.");
        if (Size is < 8 or > 1024) return ValidationResult.Error("--size must be between 8 and 1024.");
        if (Directory.Exists(Out) && Directory.EnumerateFileSystemEntries(Out).Any()) return ValidationResult.Error($"--out {Out} is not empty.");
        return ValidationResult.Success();
    }
}

/// <summary>datasets synth: a demo segmentation or detection set from Fashion-MNIST items placed on larger canvases, with per-pixel masks or boxes.</summary>
public sealed class SynthCommand(IAnsiConsole console) : Command<SynthSettings>
{
    public override int Execute(CommandContext context, SynthSettings settings, CancellationToken cancellationToken)
    {
        var items = DatasetLoader.Load(settings.From!).Train;
        if (settings.Task == "detection")
        {
            var boxes = DetectionSynth.Make(items, settings.Count, settings.Size, settings.Seed);
            DetectionSynth.WriteCoco(boxes, settings.Out!);
            var counts = boxes.ObjectCounts();
            console.MarkupLineInterpolated($"wrote {boxes.Count} images of {boxes.Width}x{boxes.Height} with {counts.Sum()} boxes of {boxes.Classes.Count} categories to {settings.Out} (COCO)");
            console.MarkupLineInterpolated($"objects: {string.Join(", ", boxes.Classes.Select((c, i) => $"{c} {counts[i]}"))}");
            return 0;
        }
        var set = SegmentationSynth.Make(items, settings.Count, settings.Size, settings.Seed);
        SegmentationSynth.Write(set, settings.Out!);
        var shares = set.PixelShares();
        console.MarkupLineInterpolated($"wrote {set.Count} images of {set.Width}x{set.Height} with masks and {set.Classes.Count} classes to {settings.Out}");
        console.MarkupLineInterpolated(
            $"pixel share: {string.Join(", ", set.Classes.Select((c, i) => $"{c.Name} {shares[i]:P1}"))}");
        return 0;
    }
}
