using System.Globalization;

namespace NasPlatform.Ctl.Output;

/// <summary>Numbers for people, always in the invariant culture so CI logs read the same on every runner.</summary>
public static class Fmt
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Percent(double? fraction) => fraction is { } f ? (f * 100).ToString("0.0", Inv) + "%" : "-";

    public static string Ms(double? ms) => ms is { } v ? Number(v) + " ms" : "-";

    /// <summary>Three significant digits or so: 4.31, 12.3, 153.</summary>
    public static string Number(double value) =>
        value.ToString(Math.Abs(value) switch { < 10 => "0.##", < 100 => "0.#", _ => "0" }, Inv);

    public static string Reward(double? reward) => reward is { } r ? r.ToString("0.00", Inv) : "-";

    public static string Count(long? count) => count is { } c ? c.ToString("N0", Inv) : "-";

    public static string Seconds(double? seconds)
    {
        if (seconds is not { } s) return "-";
        if (s < 60) return s.ToString("0.0", Inv) + " s";
        var span = TimeSpan.FromSeconds(s);
        return span.TotalHours >= 1 ? $"{(int)span.TotalHours}h {span.Minutes:00}m" : $"{span.Minutes}m {span.Seconds:00}s";
    }

    public static string Bytes(long? bytes)
    {
        if (bytes is not { } b) return "-";
        string[] units = ["B", "KB", "MB", "GB", "TB"];
        double value = b;
        int unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? $"{b} B" : value.ToString("0.0", Inv) + " " + units[unit];
    }

    public static string Time(DateTimeOffset? time) => time?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", Inv) ?? "-";

    public static string Invariant(FormattableString text) => FormattableString.Invariant(text);
}
