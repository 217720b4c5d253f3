namespace NasPlatform.Platform.Storage;

/// <summary>
/// Where large bytes live (uploads, decoded datasets, previews, weights), addressed by a key such as
/// "datasets/{id}/data.bin". A folder by default; the interface is small enough for an
/// S3-compatible store. Writes are atomic: a reader never sees half a blob.
/// </summary>
public interface IBlobStore
{
    Stream OpenRead(string key);
    bool Exists(string key);
    long Length(string key);

    /// <summary>Writes the blob from a stream (complete or not at all).</summary>
    Task WriteAsync(string key, Stream content, CancellationToken ct = default);

    /// <summary>Writes the blob through a callback given a local file path to fill.</summary>
    Task WriteFileAsync(string key, Func<string, Task> fill, CancellationToken ct = default);

    /// <summary>Takes ownership of a local file (moved, not copied, when on the same volume).</summary>
    Task ImportAsync(string key, string localPath, CancellationToken ct = default);

    /// <summary>Removes every blob whose key starts with the prefix; returns how many.</summary>
    int DeletePrefix(string prefix);

    IEnumerable<string> List(string prefix);
}

/// <summary>The key rule every store applies: keys come from our own code, but one that could climb out of its folder is refused.</summary>
public static class BlobKeys
{
    public static string Checked(string key) =>
        key.Length > 0 && (key.Contains("..") || key.StartsWith('/') || key.Contains('\\'))
            ? throw new ArgumentException($"Invalid blob key '{key}'.", nameof(key))
            : key;
}
