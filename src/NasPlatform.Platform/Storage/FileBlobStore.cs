namespace NasPlatform.Platform.Storage;

/// <summary>Blobs as files under one root folder; writes go to a temporary name first and are renamed.</summary>
public sealed class FileBlobStore : IBlobStore
{
    private readonly string _root;

    public FileBlobStore(string root)
    {
        _root = Path.GetFullPath(root);
        Directory.CreateDirectory(_root);
    }

    public string Root => _root;

    public Stream OpenRead(string key)
    {
        var path = PathOf(key);
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (DirectoryNotFoundException e)
        {
            throw Missing(key, e);
        }
    }

    public bool Exists(string key) => File.Exists(PathOf(key));

    public long Length(string key)
    {
        var file = new FileInfo(PathOf(key));
        return file.Exists ? file.Length : throw Missing(key, null);
    }

    /// <summary>A missing blob is FileNotFoundException in every store, whether or not its folder exists.</summary>
    private static FileNotFoundException Missing(string key, Exception? inner) => new($"Blob '{key}' does not exist.", key, inner);

    public Task WriteAsync(string key, Stream content, CancellationToken ct = default) =>
        WriteFileAsync(key, async path =>
        {
            await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            await content.CopyToAsync(file, ct);
        }, ct);

    public async Task WriteFileAsync(string key, Func<string, Task> fill, CancellationToken ct = default)
    {
        var target = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temp = target + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            await fill(temp);
            ct.ThrowIfCancellationRequested();
            File.Move(temp, target, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    public Task ImportAsync(string key, string localPath, CancellationToken ct = default)
    {
        var target = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Move(localPath, target, overwrite: true);
        return Task.CompletedTask;
    }

    public int DeletePrefix(string prefix)
    {
        int deleted = 0;
        foreach (var key in List(prefix).ToList())
        {
            File.Delete(PathOf(key));
            deleted++;
        }
        // Empty folders left behind would read as orphans.
        var folder = PathOf(prefix.TrimEnd('/'));
        if (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories).Any(File.Exists))
            Directory.Delete(folder, recursive: true);
        return deleted;
    }

    public IEnumerable<string> List(string prefix)
    {
        var folder = PathOf(prefix.Contains('/') ? prefix[..prefix.LastIndexOf('/')] : "");
        if (!Directory.Exists(folder)) yield break;
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            var key = Path.GetRelativePath(_root, file).Replace('\\', '/');
            if (key.StartsWith(prefix, StringComparison.Ordinal) && !key.EndsWith(".tmp", StringComparison.Ordinal)) yield return key;
        }
    }

    private string PathOf(string key) => Path.Combine(_root, BlobKeys.Checked(key));
}
