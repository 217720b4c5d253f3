using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using NasPlatform.Platform.Datasets;

namespace NasPlatform.Web.Api;

/// <summary>
/// Reads a multipart dataset upload section by section, streaming the file part straight to a
/// temporary file in 64 KB chunks (memory stays flat whatever the size) and stopping as soon as the
/// configured size limit is passed.
/// </summary>
public static class UploadReader
{
    public sealed record Upload(string? Name, string? Format, string TempPath, long Bytes);

    private const int MaxFieldBytes = 4096;

    /// <exception cref="PlatformException">Not multipart, no file, or too large (the partial file is removed).</exception>
    public static async Task<Upload> ReadAsync(HttpRequest request, string tempFolder, UploadLimit limit, CancellationToken ct)
    {
        long maxBytes = limit.Bytes;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var media) || !media.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            throw new PlatformException("Send the dataset as multipart/form-data with a 'file' part and a 'name' field.", 415);
        var boundary = HeaderUtilities.RemoveQuotes(media.Boundary).Value;
        if (string.IsNullOrEmpty(boundary)) throw new PlatformException("The multipart request has no boundary.", 400);

        // Our own limit applies below; Kestrel's default of 30 MB would cut large datasets off.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
            bodyLimit.MaxRequestBodySize = maxBytes + (1 << 20);

        Directory.CreateDirectory(tempFolder);
        var reader = new MultipartReader(boundary, request.Body);
        string? name = null, format = null, temp = null;
        long bytes = 0;
        try
        {
            MultipartSection? section;
            while ((section = await reader.ReadNextSectionAsync(ct)) is not null)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)) continue;
                var field = HeaderUtilities.RemoveQuotes(disposition.Name).Value;
                if (disposition.IsFileDisposition() && field == "file")
                {
                    if (temp is not null) throw new PlatformException("Send exactly one 'file' part.", 400);
                    temp = Path.Combine(tempFolder, $"upload-{Guid.NewGuid():N}.part");
                    bytes = await CopyLimitedAsync(section.Body, temp, limit, ct);
                }
                else if (field is "name" or "format")
                {
                    var value = await ReadFieldAsync(section.Body, ct);
                    if (field == "name") name = value; else format = value;
                }
            }
        }
        catch (Exception e) when (e is not PlatformException)
        {
            Delete(temp);
            if (e is BadHttpRequestException { StatusCode: 413 })
                throw new PlatformException(limit.TooLarge, 413);
            if (e is InvalidDataException or IOException or BadHttpRequestException)
                throw new PlatformException($"The multipart upload could not be read: {e.Message}", 400);
            throw;
        }
        catch
        {
            Delete(temp);
            throw;
        }
        if (temp is null) throw new PlatformException("The upload has no 'file' part.", 400);
        if (bytes == 0)
        {
            Delete(temp);
            throw new PlatformException("The uploaded file is empty.", 400);
        }
        return new Upload(name, format, temp, bytes);
    }

    private static async Task<long> CopyLimitedAsync(Stream body, string path, UploadLimit limit, CancellationToken ct)
    {
        var buffer = new byte[1 << 16];
        long total = 0;
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        int n;
        while ((n = await body.ReadAsync(buffer, ct)) > 0)
        {
            total += n;
            if (total > limit.Bytes) throw new PlatformException(limit.TooLarge, 413);
            await file.WriteAsync(buffer.AsMemory(0, n), ct);
        }
        return total;
    }

    private static async Task<string> ReadFieldAsync(Stream body, CancellationToken ct)
    {
        var buffer = new byte[MaxFieldBytes + 1];
        int filled = 0, n;
        while ((n = await body.ReadAsync(buffer.AsMemory(filled), ct)) > 0)
        {
            filled += n;
            if (filled > MaxFieldBytes) throw new PlatformException("A form field is longer than 4096 bytes.", 400);
        }
        return Encoding.UTF8.GetString(buffer, 0, filled);
    }

    private static void Delete(string? path)
    {
        if (path is not null && File.Exists(path)) File.Delete(path);
    }
}
