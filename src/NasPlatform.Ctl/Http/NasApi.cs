using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NasPlatform.Ctl.Http;

/// <summary>
/// The REST calls nasctl makes, over one HttpClient per run. The client itself has no timeout
/// (uploads and downloads of large files take as long as they take); each ordinary request gets
/// its own <see cref="RequestTimeout"/>, and transfers are bounded only until the answer's headers arrive.
/// </summary>
public sealed class NasApi(HttpClient http)
{
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(100);

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public Task<JsonNode> GetAsync(string path, CancellationToken ct) =>
        SendForJsonAsync(() => new HttpRequestMessage(HttpMethod.Get, path), bounded: true, ct);

    public Task<JsonNode> PostAsync(string path, JsonObject? body, CancellationToken ct) =>
        SendForJsonAsync(() => new HttpRequestMessage(HttpMethod.Post, path)
        {
            // A string, not JsonContent: it has a Content-Length, where JsonContent is sent chunked, which some proxies refuse.
            Content = body is null ? null : new StringContent(body.ToJsonString(Json), Encoding.UTF8, "application/json"),
        }, bounded: true, ct);

    public Task<JsonNode> DeleteAsync(string path, CancellationToken ct) =>
        SendForJsonAsync(() => new HttpRequestMessage(HttpMethod.Delete, path), bounded: true, ct);

    /// <summary>Posts a multipart form whose "file" part is streamed from <paramref name="file"/>, so its size does not matter.</summary>
    public Task<JsonNode> UploadAsync(string path, Stream file, string fileName, IEnumerable<KeyValuePair<string, string>> fields,
        CancellationToken ct) =>
        SendForJsonAsync(() =>
        {
            var form = new MultipartFormDataContent();
            foreach (var (name, value) in fields) form.Add(new StringContent(value), name);
            var part = new StreamContent(file, 1 << 16);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(part, "file", fileName);
            var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = form };
            // A server that refuses the token or the size answers before we send gigabytes for nothing.
            request.Headers.ExpectContinue = true;
            return request;
        }, bounded: false, ct);

    /// <summary>
    /// Sends a GET whose body the caller streams: a successful answer with only its headers read.
    /// The caller disposes it.
    /// </summary>
    public async Task<HttpResponseMessage> OpenAsync(string path, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(RequestTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        try
        {
            return await SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ApiException($"GET {Describe(request)} got no answer within {RequestTimeout.TotalSeconds:0} s");
        }
    }

    private async Task<JsonNode> SendForJsonAsync(Func<HttpRequestMessage> create, bool bounded, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (bounded) timeout.CancelAfter(RequestTimeout);
        using var request = create();
        try
        {
            using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
            string body = await response.Content.ReadAsStringAsync(timeout.Token);
            try
            {
                return JsonNode.Parse(body.Length == 0 ? "null" : body) ?? new JsonObject();
            }
            catch (JsonException e)
            {
                throw new ApiException($"the server's answer to {request.Method} {request.RequestUri} is not JSON: {e.Message}");
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ApiException($"{request.Method} {Describe(request)} got no answer within {RequestTimeout.TotalSeconds:0} s");
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, completion, ct);
        }
        catch (HttpRequestException e)
        {
            throw new ApiException(e.HttpRequestError switch
            {
                HttpRequestError.ConnectionError => $"cannot connect to {http.BaseAddress}: {e.Message}",
                HttpRequestError.NameResolutionError => $"cannot resolve the host of {http.BaseAddress}: {e.Message}",
                HttpRequestError.SecureConnectionError => $"TLS handshake with {http.BaseAddress} failed: {e.Message}",
                _ => $"{request.Method} {Describe(request)} failed: {Innermost(e)}",
            });
        }
        if (response.IsSuccessStatusCode) return response;
        using (response)
        {
            string body = await ReadErrorBodyAsync(response, ct);
            throw Problem.ToException(response.StatusCode, response.ReasonPhrase, request.Method.Method, request.RequestUri ?? http.BaseAddress!, body);
        }
    }

    private static async Task<string> ReadErrorBodyAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            return await response.Content.ReadAsStringAsync(ct);
        }
        catch (HttpRequestException)
        {
            // The status says enough when the body breaks off.
            return "";
        }
    }

    private string Describe(HttpRequestMessage request) =>
        request.RequestUri is { IsAbsoluteUri: true } uri ? uri.ToString() : new Uri(http.BaseAddress!, request.RequestUri!).ToString();

    private static string Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e.Message;
    }
}
