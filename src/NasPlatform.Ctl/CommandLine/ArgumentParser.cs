namespace NasPlatform.Ctl.CommandLine;

/// <summary>
/// Parses "nasctl [global options] GROUP VERB [ARGS] [options]". Options may stand anywhere, as
/// "--name value" or "--name=value"; "--" ends the options (for a path that starts with a dash).
/// Everything that is not understood is a <see cref="UsageException"/>: a CI script with a typo
/// must stop at once rather than start a search with defaults it did not ask for.
/// </summary>
public static class ArgumentParser
{
    public static IReadOnlyList<OptionSpec> GlobalOptions { get; } =
    [
        new("--url", "URL", "Server address, e.g. http://localhost:5080 (default: $NASCTL_URL)."),
        new("--token", "TOKEN", "API token (default: $NASCTL_TOKEN)."),
        new("--json", null, "Machine-readable output: one JSON document on stdout, progress on stderr."),
        new("--help", null, "Show help (also -h, or 'nasctl help COMMAND')."),
    ];

    public static ParsedArguments Parse(IReadOnlyList<string> args, IReadOnlyList<CommandSpec> commands)
    {
        var known = GlobalOptions.Concat(commands.SelectMany(c => c.Options))
            .GroupBy(o => o.Name).ToDictionary(g => g.Key, g => g.First().IsFlag, StringComparer.Ordinal);
        var words = new List<string>();
        var given = new List<(string Name, string? Value)>();
        bool help = false, version = false, endOfOptions = false;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (endOfOptions || arg == "-" || !arg.StartsWith('-'))
            {
                words.Add(arg);
                continue;
            }
            if (arg == "--")
            {
                endOfOptions = true;
                continue;
            }
            if (arg is "-h" or "--help")
            {
                help = true;
                continue;
            }
            if (arg == "--version")
            {
                version = true;
                continue;
            }
            if (!arg.StartsWith("--", StringComparison.Ordinal))
                throw new UsageException($"unknown option '{arg}' (options are spelled out, e.g. --json)");
            int equals = arg.IndexOf('=');
            string name = equals < 0 ? arg : arg[..equals];
            string? inline = equals < 0 ? null : arg[(equals + 1)..];
            if (!known.TryGetValue(name, out bool isFlag))
            {
                // Checked against the command below, where the message can list what it does accept.
                given.Add((name, inline));
                continue;
            }
            if (isFlag)
            {
                if (inline is not null) throw new UsageException($"{name} takes no value");
                given.Add((name, null));
            }
            else
            {
                string value = inline ?? (i + 1 < args.Count ? args[++i] : throw new UsageException($"{name} needs a value"));
                given.Add((name, value));
            }
        }
        if (words.Count > 0 && words[0] == "help")
        {
            help = true;
            words.RemoveAt(0);
        }
        return Resolve(words, given, help, version, commands);
    }

    private static ParsedArguments Resolve(List<string> words, List<(string Name, string? Value)> given, bool help, bool version,
        IReadOnlyList<CommandSpec> commands)
    {
        var empty = new ParsedArguments(null, null, [], new Dictionary<string, string>(), new HashSet<string>(), help, version);
        if (words.Count == 0)
        {
            if (help || version) return empty;
            throw new UsageException("no command given");
        }
        string group = words[0];
        var inGroup = commands.Where(c => c.Group == group).ToList();
        if (inGroup.Count == 0)
            throw new UsageException($"unknown command '{group}'; the commands are {string.Join(", ", commands.Select(c => c.Group).Distinct())}");
        if (words.Count == 1)
        {
            if (help) return empty with { Group = group };
            throw new UsageException($"'{group}' needs a subcommand: {string.Join(", ", inGroup.Select(c => c.Verb))}", group);
        }
        var command = inGroup.FirstOrDefault(c => c.Verb == words[1])
            ?? throw new UsageException($"unknown command '{group} {words[1]}'; '{group}' has {string.Join(", ", inGroup.Select(c => c.Verb))}", group);
        if (help) return empty with { Command = command, Group = group };

        var allowed = GlobalOptions.Concat(command.Options).ToDictionary(o => o.Name, StringComparer.Ordinal);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var flags = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, value) in given)
        {
            if (!allowed.TryGetValue(name, out var option))
                throw new UsageException($"unknown option '{name}' for '{command.Name}'", command.Name);
            // Later options win, so a pipeline can append an override to a shared command line.
            if (option.IsFlag) flags.Add(name);
            else values[name] = value!;
        }
        var positionals = words.Skip(2).ToList();
        if (positionals.Count < command.Positionals)
            throw new UsageException($"'{command.Name}' needs {command.Arguments}", command.Name);
        if (positionals.Count > command.Positionals)
            throw new UsageException($"unexpected argument '{positionals[command.Positionals]}' for '{command.Name}'", command.Name);
        return new ParsedArguments(command, group, positionals, values, flags, help, version);
    }
}
