namespace NasPlatform.Ctl.CommandLine;

/// <summary>The text of --help: the overview, one group's commands, or one command's options.</summary>
public static class HelpWriter
{
    public static IReadOnlyList<(string Code, string Meaning)> ExitCodeHelp { get; } =
    [
        ("0", "success (for --wait: the dataset is ready / the search succeeded and every gate passed)"),
        ("1", "the dataset or search failed or was cancelled, or a gate (--min-accuracy, --max-latency-ms) was missed"),
        ("2", "usage error: unknown command or option, bad value, NASCTL_URL or NASCTL_TOKEN missing"),
        ("3", "API error: the server answered with an error (its problem details are printed) or could not be reached"),
        ("4", "authentication: the token is missing, invalid, revoked or read-only (HTTP 401/403)"),
        ("130", "interrupted (Ctrl-C); a search keeps running on the server"),
    ];

    public static void Write(TextWriter writer, ParsedArguments parsed, IReadOnlyList<CommandSpec> commands)
    {
        if (parsed.Command is { } command) WriteCommand(writer, command);
        else if (parsed.Group is { } group) WriteGroup(writer, group, commands);
        else WriteOverview(writer, commands);
    }

    private static void WriteOverview(TextWriter writer, IReadOnlyList<CommandSpec> commands)
    {
        writer.WriteLine("nasctl: command-line client of the NasPlatform REST API, for CI pipelines.");
        writer.WriteLine();
        writer.WriteLine("Usage: nasctl COMMAND [ARGUMENTS] [OPTIONS]");
        writer.WriteLine();
        writer.WriteLine("Commands:");
        Rows(writer, commands.Select(c => ($"{c.Name} {c.Arguments}".TrimEnd(), c.Summary)));
        writer.WriteLine();
        writer.WriteLine("Global options (every command):");
        Rows(writer, ArgumentParser.GlobalOptions.Select(o => (Signature(o), o.Help)).Append(("--version", "Print the version.")));
        writer.WriteLine();
        writer.WriteLine("Environment:");
        Rows(writer,
        [
            (NasctlApp.UrlVariable, "Server address, e.g. http://localhost:5080 (--url overrides it)."),
            (NasctlApp.TokenVariable, "API token, sent as 'Authorization: Bearer TOKEN' (--token overrides it)."),
            (NasctlApp.PollVariable, "Polling interval of --wait in seconds (default 1 for datasets, 2 for searches)."),
        ]);
        writer.WriteLine();
        WriteExitCodes(writer);
        writer.WriteLine();
        writer.WriteLine("Run 'nasctl COMMAND --help' (e.g. 'nasctl searches start --help') for a command's options.");
    }

    private static void WriteGroup(TextWriter writer, string group, IReadOnlyList<CommandSpec> commands)
    {
        writer.WriteLine($"Usage: nasctl {group} COMMAND [ARGUMENTS] [OPTIONS]");
        writer.WriteLine();
        writer.WriteLine("Commands:");
        Rows(writer, commands.Where(c => c.Group == group).Select(c => ($"{c.Name} {c.Arguments}".TrimEnd(), c.Summary)));
        writer.WriteLine();
        writer.WriteLine($"Run 'nasctl {group} COMMAND --help' for a command's options.");
    }

    private static void WriteCommand(TextWriter writer, CommandSpec command)
    {
        writer.WriteLine($"Usage: nasctl {command.Name} {command.Arguments} [OPTIONS]".Replace("  ", " "));
        writer.WriteLine();
        writer.WriteLine(command.Summary);
        if (command.Options.Count > 0)
        {
            writer.WriteLine();
            writer.WriteLine("Options:");
            Rows(writer, command.Options.Select(o => (Signature(o), o.Help)));
        }
        writer.WriteLine();
        writer.WriteLine("Global options:");
        Rows(writer, ArgumentParser.GlobalOptions.Select(o => (Signature(o), o.Help)));
        if (command.Examples.Count > 0)
        {
            writer.WriteLine();
            writer.WriteLine("Examples:");
            foreach (var example in command.Examples) writer.WriteLine($"  {example}");
        }
        writer.WriteLine();
        WriteExitCodes(writer);
    }

    private static void WriteExitCodes(TextWriter writer)
    {
        writer.WriteLine("Exit codes:");
        Rows(writer, ExitCodeHelp);
    }

    private static string Signature(OptionSpec option) => option.IsFlag ? option.Name : $"{option.Name} {option.Value}";

    private static void Rows(TextWriter writer, IEnumerable<(string Left, string Right)> rows)
    {
        var list = rows.ToList();
        int width = list.Max(r => r.Left.Length);
        foreach (var (left, right) in list) writer.WriteLine($"  {left.PadRight(width)}  {right}");
    }
}
