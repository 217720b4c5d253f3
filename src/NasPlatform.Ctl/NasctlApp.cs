using System.Globalization;
using System.Net.Http.Headers;
using System.Reflection;
using NasPlatform.Ctl.CommandLine;
using NasPlatform.Ctl.Http;

namespace NasPlatform.Ctl;

/// <summary>
/// nasctl as a function: arguments, environment and writers in, exit code out (see <see cref="ExitCodes"/>).
/// Nothing here touches the process (no Console, no statics that change), so tests run many at once.
/// </summary>
public static class NasctlApp
{
    public const string UrlVariable = "NASCTL_URL";
    public const string TokenVariable = "NASCTL_TOKEN";
    public const string PollVariable = "NASCTL_POLL_SECONDS";

    public static string Version { get; } =
        (typeof(NasctlApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0").Split('+')[0];

    public static Task<int> RunAsync(string[] args, IReadOnlyDictionary<string, string?> environment, TextWriter stdout, TextWriter stderr,
        CancellationToken ct = default) => RunAsync(args, environment, stdout, stderr, handler: null, ct);

    /// <summary>As above, sending requests through <paramref name="handler"/> (not disposed) when it is not null, e.g. a test server's.</summary>
    public static async Task<int> RunAsync(string[] args, IReadOnlyDictionary<string, string?> environment, TextWriter stdout, TextWriter stderr,
        HttpMessageHandler? handler, CancellationToken ct = default)
    {
        ParsedArguments parsed;
        try
        {
            parsed = ArgumentParser.Parse(args, Commands.All);
        }
        catch (UsageException e)
        {
            return Usage(stderr, e);
        }
        if (parsed.Help)
        {
            HelpWriter.Write(stdout, parsed, Commands.All);
            return ExitCodes.Success;
        }
        if (parsed.Version)
        {
            stdout.WriteLine($"nasctl {Version}");
            return ExitCodes.Success;
        }

        HttpClient? http = null;
        try
        {
            NasApi Connect()
            {
                var (baseUrl, token) = Configure(parsed, environment);
                http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
                http.BaseAddress = baseUrl;
                http.Timeout = Timeout.InfiniteTimeSpan;
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
                http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("nasctl", Version));
                return new NasApi(http);
            }
            var context = new CommandContext(parsed, Connect, stdout, stderr, PollInterval(environment), ct);
            return await parsed.Command!.RunAsync(context);
        }
        catch (UsageException e)
        {
            return Usage(stderr, e);
        }
        catch (ApiException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return e.IsAuthentication ? ExitCodes.Authentication : ExitCodes.Api;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            stderr.WriteLine("interrupted; anything already started keeps running on the server.");
            return ExitCodes.Interrupted;
        }
        finally
        {
            http?.Dispose();
        }
    }

    private static (Uri BaseUrl, string Token) Configure(ParsedArguments parsed, IReadOnlyDictionary<string, string?> environment)
    {
        string? Setting(string option, string variable) =>
            parsed.Value(option) is { Length: > 0 } given ? given : environment.GetValueOrDefault(variable) is { Length: > 0 } env ? env : null;

        string url = Setting("--url", UrlVariable)?.Trim()
            ?? throw new UsageException($"no server address: set {UrlVariable} (e.g. http://localhost:5080) or pass --url");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("http" or "https"))
            throw new UsageException($"the server address must be an absolute http(s) URL, not '{url}'");
        // A trailing slash keeps a path prefix (https://ci.example.com/nas/) when relative API paths are resolved against it.
        if (!baseUrl.AbsolutePath.EndsWith('/')) baseUrl = new Uri(baseUrl + "/");

        // Secrets pasted from a file often end with a newline, which is not part of the token.
        string token = Setting("--token", TokenVariable)?.Trim()
            ?? throw new UsageException($"no API token: set {TokenVariable} or pass --token");
        if (token.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            throw new UsageException("the API token contains spaces or control characters; check the secret");
        return (baseUrl, token);
    }

    private static TimeSpan? PollInterval(IReadOnlyDictionary<string, string?> environment)
    {
        if (environment.GetValueOrDefault(PollVariable) is not { Length: > 0 } text) return null;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || !(seconds > 0) || seconds > 3600)
            throw new UsageException($"{PollVariable} must be a number of seconds between 0 and 3600, not '{text}'");
        return TimeSpan.FromSeconds(seconds);
    }

    private static int Usage(TextWriter stderr, UsageException e)
    {
        stderr.WriteLine($"error: {e.Message}");
        stderr.WriteLine(e.HelpTopic is null ? "Run 'nasctl --help' for the commands." : $"Run 'nasctl {e.HelpTopic} --help' for its usage.");
        return ExitCodes.Usage;
    }
}
