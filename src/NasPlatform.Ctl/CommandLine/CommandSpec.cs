namespace NasPlatform.Ctl.CommandLine;

/// <summary>An option of a command; a null <see cref="Value"/> makes it a flag.</summary>
public sealed record OptionSpec(string Name, string? Value, string Help)
{
    public bool IsFlag => Value is null;
}

/// <summary>One "group verb" command: what it accepts, how help describes it, and what runs it.</summary>
public sealed record CommandSpec(
    string Group,
    string Verb,
    string Arguments,
    string Summary,
    IReadOnlyList<OptionSpec> Options,
    IReadOnlyList<string> Examples,
    Func<CommandContext, Task<int>> RunAsync)
{
    public string Name => $"{Group} {Verb}";

    /// <summary>How many positional arguments the command takes ("ID", "PATH"): one per word in <see cref="Arguments"/>.</summary>
    public int Positionals => Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
}

/// <summary>A command line after parsing: the command (null for help on a group or the overview) and what was given.</summary>
public sealed record ParsedArguments(
    CommandSpec? Command,
    string? Group,
    IReadOnlyList<string> Positionals,
    IReadOnlyDictionary<string, string> Values,
    IReadOnlySet<string> Flags,
    bool Help,
    bool Version)
{
    public string? Value(string option) => Values.GetValueOrDefault(option);

    public bool Flag(string option) => Flags.Contains(option);
}
