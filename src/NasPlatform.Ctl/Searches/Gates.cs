using System.Globalization;
using System.Text.Json.Nodes;
using NasPlatform.Ctl.CommandLine;
using NasPlatform.Ctl.Http;
using NasPlatform.Ctl.Output;

namespace NasPlatform.Ctl.Searches;

/// <summary>
/// One quality gate and how the final model fared against it: Actual is null when there is no model, or when
/// <see cref="Missing"/> says why the model has no such figure; <see cref="Measure"/> names the figure (test accuracy, test miou).
/// </summary>
public sealed record GateResult(string Name, double Threshold, double? Actual, bool Passed, string Measure = "test accuracy", string? Missing = null)
{
    public JsonObject ToJson() => new() { ["name"] = Name, ["threshold"] = Threshold, ["actual"] = Actual, ["passed"] = Passed };

    public string Describe()
    {
        bool metric = Name != Gates.MaxLatencyMs;
        string limit = metric ? Fmt.Percent(Threshold) : Fmt.Ms(Threshold);
        if (Actual is not { } actual) return $"gate {Name} missed: {Missing ?? "there is no final model to measure"} (threshold {limit})";
        string value = metric ? Fmt.Percent(actual) : Fmt.Ms(actual);
        if (Passed) return metric ? $"gate {Name} passed: {Measure} {value} >= {limit}" : $"gate {Name} passed: latency {value} <= {limit}";
        return metric
            ? $"gate {Name} missed: {Measure} {value} is {Points(Threshold - actual)} percentage points below the minimum {limit}"
            : $"gate {Name} missed: latency {value} is {Fmt.Ms(actual - Threshold)} ({Fmt.Percent((actual - Threshold) / Threshold)}) over the maximum {limit}";
    }

    private static string Points(double fraction) => (fraction * 100).ToString("0.0#", CultureInfo.InvariantCulture);
}

/// <summary>
/// --min-accuracy, --min-metric and --max-latency-ms: the final model's test accuracy (classification), its test metric
/// whatever the task ranks by (accuracy, miou), and its measured latency, that a CI run requires. They are read before
/// the search starts, so a typo costs nothing but a retry.
/// </summary>
public static class Gates
{
    public const string MinAccuracy = "min-accuracy";
    public const string MinMetric = "min-metric";
    public const string MaxLatencyMs = "max-latency-ms";

    /// <summary>--min-accuracy as a fraction: "0.9", "90" and "90%" all mean 0.9 (a value above 1 can only be a percentage).</summary>
    public static double? ParseMinAccuracy(ParsedArguments args) => ParseFraction(args, MinAccuracy);

    /// <summary>--min-metric as a fraction, read like --min-accuracy.</summary>
    public static double? ParseMinMetric(ParsedArguments args) => ParseFraction(args, MinMetric);

    private static double? ParseFraction(ParsedArguments args, string option)
    {
        if (args.Value("--" + option) is not { } text) return null;
        string number = text.Trim();
        bool percent = number.EndsWith('%');
        if (percent) number = number[..^1].TrimEnd();
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value) || value < 0)
            throw OptionValues.Usage(args, $"--{option} expects a fraction such as 0.85, 85 or 85%, not '{text}'");
        if (percent || value > 1) value /= 100;
        if (value > 1) throw OptionValues.Usage(args, $"--{option} {text} is above 100%");
        return value;
    }

    public static double? ParseMaxLatency(ParsedArguments args)
    {
        var value = args.Double("--" + MaxLatencyMs);
        if (value is <= 0) throw OptionValues.Usage(args, $"--{MaxLatencyMs} must be a positive number of milliseconds");
        return value;
    }

    public static IReadOnlyList<GateResult> Evaluate(double? minAccuracy, double? maxLatencyMs, Model? model, double? minMetric = null)
    {
        var results = new List<GateResult>();
        if (minAccuracy is { } min)
            results.Add(new(MinAccuracy, min, model?.TestAccuracy, model?.TestAccuracy is { } acc && acc >= min,
                Missing: model is not null && model.TestAccuracy is null ? $"the model is ranked by {model.Metric}, not accuracy: use --{MinMetric}" : null));
        if (minMetric is { } least)
            results.Add(new(MinMetric, least, model?.TestMetric, model?.TestMetric is { } m && m >= least, $"test {model?.Metric ?? "metric"}"));
        if (maxLatencyMs is { } max)
            results.Add(new(MaxLatencyMs, max, model?.LatencyMs, model?.LatencyMs is { } ms && ms <= max));
        return results;
    }
}
