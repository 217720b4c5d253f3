namespace NasPlatform.Ctl.CommandLine;

/// <summary>The command line cannot be run as given (exit code 2); the message says what to change.</summary>
public sealed class UsageException(string message, string? helpTopic = null) : Exception(message)
{
    /// <summary>The command whose help the message points to ("searches start"), or null for the overview.</summary>
    public string? HelpTopic { get; } = helpTopic;
}
