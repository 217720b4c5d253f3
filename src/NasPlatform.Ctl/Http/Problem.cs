using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NasPlatform.Ctl.Http;

/// <summary>Turns an error answer (an RFC 7807 problem, or whatever else came back) into the message a person reads.</summary>
public static class Problem
{
    public static ApiException ToException(HttpStatusCode code, string? reason, string method, Uri uri, string body)
    {
        int status = (int)code;
        var problem = TryParse(body);
        string? title = problem?["title"]?.GetValueKind() == JsonValueKind.String ? (string?)problem["title"] : null;
        string? detail = problem?["detail"]?.GetValueKind() == JsonValueKind.String ? (string?)problem["detail"] : null;
        var lines = new List<string>();
        if (status is 401 or 403)
        {
            lines.Add(status == 401
                ? "authentication failed (HTTP 401): the token is missing, invalid or revoked; check NASCTL_TOKEN or --token."
                : "permission denied (HTTP 403): the token is valid but may not do this (a read-only token can only read).");
            if (detail is not null) lines.Add($"  server: {detail}");
        }
        else
        {
            string head = title ?? (string.IsNullOrEmpty(reason) ? $"HTTP {status}" : reason);
            lines.Add(detail is null ? $"{head} (HTTP {status}, {method} {uri.AbsolutePath})" : $"{head} (HTTP {status}): {detail}");
            if (problem is null && Snippet(body) is { } text) lines.Add($"  {text}");
        }
        if (problem?["errors"] is JsonObject errors)
        {
            foreach (var (field, messages) in errors)
            {
                var texts = messages is JsonArray array ? array.Select(m => m?.ToString() ?? "") : [messages?.ToString() ?? ""];
                foreach (var text in texts) lines.Add($"  {field}: {text}");
            }
        }
        return new ApiException(string.Join("\n", lines), status);
    }

    private static JsonObject? TryParse(string body)
    {
        if (string.IsNullOrWhiteSpace(body)) return null;
        try
        {
            return JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The start of a non-JSON error body (a proxy's HTML page, a plain-text message), on one line.</summary>
    private static string? Snippet(string body)
    {
        var text = body.ReplaceLineEndings(" ").Trim();
        if (text.Length == 0) return null;
        return text.Length <= 200 ? text : text[..200] + "…";
    }
}
