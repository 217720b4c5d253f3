using NasPlatform.Data.Entities;

using System.Globalization;

namespace NasPlatform.Web.Components.Shared;

/// <summary>Display formats shared by the pages: short ISO-like dates (UTC), 2-decimal percentages and milliseconds.</summary>
public static class Fmt
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Date(DateTimeOffset? value) => value is { } v ? v.UtcDateTime.ToString("yyyy-MM-dd HH:mm", Inv) : "–";

    /// <summary>A fraction in [0, 1] as a percentage with 2 decimals.</summary>
    /// <summary>A task metric; every task's metrics so far (accuracy, later mIoU and mAP) are fractions, shown as percentages.</summary>
    public static string Metric(string name, double? value) => Pct(value);

    public static string Pct(double? fraction) => fraction is { } f ? (f * 100).ToString("0.00", Inv) + " %" : "–";

    public static string Ms(double? ms) => ms is { } m ? m.ToString("0.00", Inv) + " ms" : "–";

    public static string Num(double? value, string format = "0.####") => value is { } v ? v.ToString(format, Inv) : "–";

    public static string Seconds(double? s) => s is { } v ? v.ToString("0.0", Inv) + " s" : "–";

    /// <summary>Large counts (parameters, MACs) as 1.23 M / 4.56 G.</summary>
    public static string Count(long value) => value switch
    {
        >= 1_000_000_000 => (value / 1e9).ToString("0.00", Inv) + " G",
        >= 1_000_000 => (value / 1e6).ToString("0.00", Inv) + " M",
        >= 10_000 => (value / 1e3).ToString("0.0", Inv) + " k",
        _ => value.ToString(Inv),
    };

    public static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => (bytes / (double)(1L << 30)).ToString("0.00", Inv) + " GiB",
        >= 1L << 20 => (bytes / (double)(1L << 20)).ToString("0.0", Inv) + " MiB",
        >= 1L << 10 => (bytes / (double)(1L << 10)).ToString("0.0", Inv) + " KiB",
        _ => bytes.ToString(Inv) + " B",
    };

    public static string Lower<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();

    public static string Shape(Dataset d) => d.Status == DatasetStatus.Ready ? $"{d.Channels}×{d.Height}×{d.Width}" : "–";

    /// <summary>MudBlazor colour of a status (dataset, search or trial, lower-case).</summary>
    public static MudBlazor.Color StatusColor(string status) => status switch
    {
        "ready" or "succeeded" => MudBlazor.Color.Success,
        "processing" or "running" => MudBlazor.Color.Info,
        "queued" => MudBlazor.Color.Default,
        "failed" => MudBlazor.Color.Error,
        "cancelled" => MudBlazor.Color.Warning,
        _ => MudBlazor.Color.Default,
    };
}
