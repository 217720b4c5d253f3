using System.Globalization;

namespace NasPlatform.Ctl.CommandLine;

/// <summary>Typed reads of option values. Numbers are invariant ("0.25", never "0,25"), whatever the CI machine's locale.</summary>
public static class OptionValues
{
    public static string Required(this ParsedArguments args, string option) =>
        args.Value(option) is { Length: > 0 } value ? value : throw Usage(args, $"'{args.Command?.Name}' needs {option}");

    public static double? Double(this ParsedArguments args, string option)
    {
        if (args.Value(option) is not { } text) return null;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw Usage(args, $"{option} expects a number, not '{text}'");
    }

    public static int? Int(this ParsedArguments args, string option)
    {
        if (args.Value(option) is not { } text) return null;
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Usage(args, $"{option} expects a whole number, not '{text}'");
    }

    public static long? Long(this ParsedArguments args, string option)
    {
        if (args.Value(option) is not { } text) return null;
        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Usage(args, $"{option} expects a whole number, not '{text}'");
    }

    public static UsageException Usage(ParsedArguments args, string message) => new(message, args.Command?.Name);
}
