using System.ComponentModel;
using NasPlatform.Engine.Components;
using NasPlatform.Engine.Pipeline;
using Spectre.Console;
using Spectre.Console.Cli;

namespace NasPlatform.Cli.Search;

public sealed class SearchCommandSettings : CommandSettings
{
    [CommandOption("--data <PATH>")]
    [Description("Dataset: a folder of IDX files (idx), a folder of CIFAR binary batches (cifar), or a zip of class folders (imagefolder).")]
    public string Data { get; init; } = "";

    [CommandOption("--format <FORMAT>")]
    [Description("idx, cifar or imagefolder (default: detected from PATH).")]
    public string? Format { get; init; }

    [CommandOption("--latency-ms <T>")]
    [Description("Latency budget T in milliseconds, for one batch-1 inference measured on this machine.")]
    public double? LatencyMs { get; init; }

    [CommandOption("--constraint <KIND>")]
    [Description("soft (alpha = beta = -0.07) or hard (alpha = 0, beta = -1).")]
    [DefaultValue("soft")]
    public string Constraint { get; init; } = "soft";

    [CommandOption("--space <NAME>")]
    [Description("Search space (default mnasnet); `--space list` names every space, strategy, objective and task.")]
    [DefaultValue(Defaults.Space)]
    public string Space { get; init; } = Defaults.Space;

    [CommandOption("--space-option <NAME=VALUE>")]
    [Description("An option of the space, e.g. widthScale=0.5 (repeatable).")]
    public string[] SpaceOptions { get; init; } = [];

    [CommandOption("--strategy <NAME>")]
    [Description("random, evolution, mnasnet-rl, hyperband, asha, or darts (one supernet, with --space darts).")]
    [DefaultValue(Defaults.Strategy)]
    public string Strategy { get; init; } = Defaults.Strategy;

    [CommandOption("--strategy-option <NAME=VALUE>")]
    [Description("An option of the strategy, e.g. populationSize=10, sampleSize=3, learningRate=0.001 (repeatable).")]
    public string[] StrategyOptions { get; init; } = [];

    [CommandOption("--objective <NAME>")]
    [Description("The reward: mnasnet (metric x (latency / budget)^w) or throughput (images/s at --objective-option batchSize=N; the budget is per batch).")]
    [DefaultValue(Defaults.Objective)]
    public string Objective { get; init; } = Defaults.Objective;

    [CommandOption("--objective-option <NAME=VALUE>")]
    [Description("An option of the objective, e.g. batchSize=64 for throughput (repeatable).")]
    public string[] ObjectiveOptions { get; init; } = [];

    [CommandOption("--trials <N>")]
    [DefaultValue(20)]
    public int Trials { get; init; } = 20;

    [CommandOption("--minutes <M>")]
    [Description("Wall-clock budget for the trials (the final training comes after it).")]
    public double? Minutes { get; init; }

    [CommandOption("--total-minutes <M>")]
    [Description("Wall-clock budget for the search and the final training together: the final training takes the epochs (at most --final-epochs) "
                 + "that fit in what the search left, at the selected trial's measured speed; without --minutes the search gets half.")]
    public double? TotalMinutes { get; init; }

    [CommandOption("--proxy-epochs <E>")]
    [Description("Epochs per trial. Default: from the data's size (about 300 steps, 3-30 epochs).")]
    public int? ProxyEpochs { get; init; }

    [CommandOption("--proxy-fraction <F>")]
    [Description("Fraction of the training split each trial trains on. Default: 0.25, more on small data (at least 4,000 images).")]
    public double? ProxyFraction { get; init; }

    [CommandOption("--final-epochs <E>")]
    [Description("Epochs of the final training. Default: from the data's size (about 3,000 steps, 15-200 epochs).")]
    public int? FinalEpochs { get; init; }

    [CommandOption("--seed <S>")]
    [DefaultValue(1L)]
    public long Seed { get; init; } = 1;

    [CommandOption("--out <DIR>")]
    [Description("Output folder for result.json, model.bin, model.onnx and architecture.json.")]
    public string Out { get; init; } = "";

    [CommandOption("--resume")]
    [Description("Continue the search whose checkpoint.json is in --out (same strategy and seed).")]
    public bool Resume { get; init; }

    [CommandOption("--batch-size <N>")]
    [Description("Default: 128, or 64 below 10,000 training images.")]
    public int? BatchSize { get; init; }

    [CommandOption("--erasing <P>")]
    [Description("Probability of random erasing in the final training (0 = off).")]
    [DefaultValue(0.25)]
    public double Erasing { get; init; } = 0.25;

    [CommandOption("--base-strategy <NAME>")]
    [Description("With --strategy hyperband or asha: the strategy proposing new architectures (random, evolution, mnasnet-rl).")]
    public string? BaseStrategy { get; init; }

    [CommandOption("--darts-order <1|2>")]
    [Description("With --strategy darts: alpha's gradient first order (1, at the current weights) or second order (2, through one unrolled weight step).")]
    public int? DartsOrder { get; init; }

    [CommandOption("--early-stopping <RULE>")]
    [Description("Learning-curve early stopping of trials: none or median (the median stopping rule).")]
    [DefaultValue("none")]
    public string EarlyStopping { get; init; } = "none";

    [CommandOption("--prior <NAME>")]
    [Description("A topology prior added to the reward: none, or irlas (IRLAS's mirror stimuli, learned by inverse RL from an expert network of the zoo).")]
    [DefaultValue("none")]
    public string Prior { get; init; } = "none";

    [CommandOption("--prior-weight <W>")]
    [Description("Weight of the prior's term in the reward (reward = objective + W x mirror stimulus in (0, 1)); 0.02 by default.")]
    public double? PriorWeight { get; init; }

    [CommandOption("--prior-expert <NAME>")]
    [Description("The prior's expert network, a zoo member such as resnet20-1x or mobilenetv2-1x (default: the 1x member of the space's own family, else resnet20-1x).")]
    public string? PriorExpert { get; init; }

    [CommandOption("--baselines")]
    [Description("Also train the baseline zoo (VGG-style, ResNet-20, TResNet-like, MobileNetV2-like, ShuffleNet V2-like; DeepLab-like for segmentation, FPN for detection; at several widths) with the final recipe, for comparison.")]
    public bool Baselines { get; init; }

    [CommandOption("--baseline-families <NAMES>")]
    [Description("With --baselines: only these zoo families, comma-separated (vgg, resnet20, tresnet, mobilenetv2, shufflenetv2, deeplab); default every family that serves the task.")]
    public string? BaselineFamilies { get; init; }

    [CommandOption("--ema <DECAY>")]
    [Description("Keep an exponential moving average of the weights in the final training, e.g. 0.999 (off by default).")]
    public double? Ema { get; init; }

    [CommandOption("--flip")]
    [Description("Allow horizontal flips in augmentation (only where mirrored images keep their class).")]
    public bool Flip { get; init; }

    [CommandOption("--threads <N>")]
    [Description("Training threads (default: all cores).")]
    public int? Threads { get; init; }

    [CommandOption("--latency-threads <N>")]
    [Description("Threads while measuring latency (default 1, like MnasNet's single phone core).")]
    [DefaultValue(1)]
    public int LatencyThreads { get; init; } = 1;

    [CommandOption("--latency-runs <N>")]
    [Description("Timed runs per latency measurement (default 200).")]
    [DefaultValue(200)]
    public int LatencyRuns { get; init; } = 200;

    [CommandOption("--latency-method <METHOD>")]
    [Description("relative (default: timed against a fixed reference network in the same runs, steady on a busy host) or direct.")]
    [DefaultValue("relative")]
    public string LatencyMethod { get; init; } = "relative";

    [CommandOption("--latency-runtime <RUNTIME>")]
    [Description("torchsharp (default: the trained network, batch norm folded) or onnxruntime (the exported model.onnx in ONNX Runtime, as deployed).")]
    [DefaultValue("torchsharp")]
    public string LatencyRuntime { get; init; } = "torchsharp";

    [CommandOption("--device <DEVICE>")]
    [Description("cpu, cuda, cuda:N or auto.")]
    [DefaultValue("cpu")]
    public string Device { get; init; } = "cpu";

    [CommandOption("--width-scale <X>")]
    [Description("mnasnet space: scale of the reference widths (default 0.5 below 64 px, else 1.0); the same as --space-option widthScale=X.")]
    public double? WidthScale { get; init; }

    /// <summary>`--space list` (or `--strategy list`) only lists the registered parts.</summary>
    public bool ListsComponents => Space == "list" || Strategy == "list";

    [CommandOption("--image-size <PX>")]
    [Description("imagefolder only: images are resized to PX x PX.")]
    [DefaultValue(32)]
    public int ImageSize { get; init; } = 32;

    [CommandOption("--grayscale")]
    [Description("imagefolder only: decode images as one channel.")]
    public bool Grayscale { get; init; }

    public override ValidationResult Validate()
    {
        if (ListsComponents) return ValidationResult.Success();
        if (string.IsNullOrWhiteSpace(Data)) return ValidationResult.Error("--data is required.");
        if (LatencyMs is null) return ValidationResult.Error("--latency-ms is required.");
        if (!(LatencyMs > 0)) return ValidationResult.Error("--latency-ms must be a positive number of milliseconds.");
        if (string.IsNullOrWhiteSpace(Out)) return ValidationResult.Error("--out is required.");
        if (Format is not null && Format is not ("idx" or "cifar" or "imagefolder"))
            return ValidationResult.Error($"--format '{Format}' is not one of idx, cifar, imagefolder.");
        if (Constraint is not ("soft" or "hard")) return ValidationResult.Error($"--constraint '{Constraint}' is not soft or hard.");
        var catalog = SearchCatalog.BuiltIn;
        if (!catalog.Spaces.Contains(Space)) return ValidationResult.Error($"--space '{Space}' is not one of {string.Join(", ", catalog.Spaces.Names)}.");
        if (!catalog.IsStrategy(Strategy)) return ValidationResult.Error($"--strategy '{Strategy}' is not one of {string.Join(", ", catalog.StrategyNames)}.");
        if (DartsOrder is not (null or 1 or 2)) return ValidationResult.Error("--darts-order must be 1 or 2.");
        if (!catalog.Objectives.Contains(Objective)) return ValidationResult.Error($"--objective '{Objective}' is not one of {string.Join(", ", catalog.Objectives.Names)}.");
        if (BaseStrategy is { } b && (!catalog.Strategies.Contains(b) || b is "hyperband" or "asha"))
            return ValidationResult.Error($"--base-strategy '{b}' is not one of {string.Join(", ", catalog.Strategies.Names.Where(n => n is not ("hyperband" or "asha")))}.");
        if (EarlyStopping is not ("none" or "median")) return ValidationResult.Error($"--early-stopping '{EarlyStopping}' is not none or median.");
        if (Prior is not ("none" or "irlas")) return ValidationResult.Error($"--prior '{Prior}' is not none or irlas.");
        if (PriorWeight is { } pw && !(pw is >= 0 and <= 10)) return ValidationResult.Error("--prior-weight must be between 0 and 10.");
        if (Trials < 1) return ValidationResult.Error("--trials must be at least 1.");
        if (Minutes is { } m && !(m > 0)) return ValidationResult.Error("--minutes must be positive.");
        if (TotalMinutes is { } t && (!(t > 0) || Minutes >= t)) return ValidationResult.Error("--total-minutes must be positive and longer than --minutes.");
        if (ProxyEpochs < 1 || FinalEpochs < 1) return ValidationResult.Error("--proxy-epochs and --final-epochs must be at least 1.");
        if (ProxyFraction is <= 0 or > 1) return ValidationResult.Error("--proxy-fraction must be in (0, 1].");
        if (BatchSize < 1) return ValidationResult.Error("--batch-size must be at least 1.");
        if (Erasing is < 0 or > 1) return ValidationResult.Error("--erasing must be in [0, 1].");
        if (Ema is { } d && !(d is > 0 and < 1)) return ValidationResult.Error("--ema must be in (0, 1).");
        if (Threads is < 1) return ValidationResult.Error("--threads must be at least 1.");
        if (LatencyThreads < 1 || LatencyRuns < 3) return ValidationResult.Error("--latency-threads must be >= 1 and --latency-runs >= 3.");
        if (LatencyMethod is not ("relative" or "direct")) return ValidationResult.Error("--latency-method must be relative or direct.");
        if (LatencyRuntime is not ("torchsharp" or "onnxruntime")) return ValidationResult.Error("--latency-runtime must be torchsharp or onnxruntime.");
        if (WidthScale is { } w && !(w is > 0 and <= 4)) return ValidationResult.Error("--width-scale must be in (0, 4].");
        if (ImageSize is < 8 or > 512) return ValidationResult.Error("--image-size must be between 8 and 512.");
        return ValidationResult.Success();
    }
}
