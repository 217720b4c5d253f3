using NasPlatform.Engine.Datasets;
using NasPlatform.Platform.Storage;

namespace NasPlatform.Platform.Datasets;

/// <summary>
/// Decoded datasets a worker has loaded, so consecutive trials of a search do not reread the file.
/// Holds the most recently used few; each is the size of its pixels (uint8).
/// </summary>
public sealed class DatasetCache(IBlobStore blobs)
{
    private const int Capacity = 2;
    private readonly Lock _gate = new();
    private readonly LinkedList<(string Key, DatasetBundle Data)> _entries = new();

    public DatasetBundle Get(string dataBlob)
    {
        lock (_gate)
        {
            for (var node = _entries.First; node is not null; node = node.Next)
                if (node.Value.Key == dataBlob)
                {
                    _entries.Remove(node);
                    _entries.AddFirst(node);
                    return node.Value.Data;
                }
            DatasetBundle data;
            using (var stream = blobs.OpenRead(dataBlob)) data = DecodedDatasetFile.Read(stream);
            _entries.AddFirst((dataBlob, data));
            while (_entries.Count > Capacity) _entries.RemoveLast();
            return data;
        }
    }
}
