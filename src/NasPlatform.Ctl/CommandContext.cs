using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using NasPlatform.Ctl.CommandLine;
using NasPlatform.Ctl.Http;

namespace NasPlatform.Ctl;

/// <summary>Everything one command run needs; one per run, so parallel runs in one process share nothing.</summary>
public sealed class CommandContext(ParsedArguments args, Func<NasApi> connect, TextWriter stdout, TextWriter stderr, TimeSpan? pollInterval,
    CancellationToken cancellation)
{
    // Relaxed escaping keeps names like "Bälle" readable; stdout is never embedded in HTML.
    private static readonly JsonSerializerOptions Indented = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public ParsedArguments Args { get; } = args;

    private NasApi? api;

    /// <summary>
    /// The API client, set up on first use: commands check their own arguments first, so a typo is
    /// reported as such even where NASCTL_URL or NASCTL_TOKEN is missing too.
    /// </summary>
    public NasApi Api => api ??= connect();

    public TextWriter Out { get; } = stdout;

    public TextWriter Error { get; } = stderr;

    public CancellationToken Cancellation { get; } = cancellation;

    public bool Json => Args.Flag("--json");

    /// <summary>Where progress lines go: stdout for people, stderr under --json so stdout holds only the document.</summary>
    public TextWriter Progress => Json ? Error : Out;

    /// <summary>The polling interval of --wait; NASCTL_POLL_SECONDS overrides the command's default.</summary>
    public TimeSpan Poll(TimeSpan normal) => pollInterval ?? normal;

    public string Positional(int index) => Args.Positionals[index];

    public void WriteJson(JsonNode? node) => Out.WriteLine(node?.ToJsonString(Indented) ?? "null");

    /// <summary>Reads API JSON into a record; a shape we cannot read is the server's error, not ours.</summary>
    public static T Read<T>(JsonNode node)
    {
        try
        {
            return node.Deserialize<T>(NasApi.Json) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new ApiException($"the server answered with JSON nasctl cannot read as a {typeof(T).Name.ToLowerInvariant()}: {e.Message}");
        }
    }
}
