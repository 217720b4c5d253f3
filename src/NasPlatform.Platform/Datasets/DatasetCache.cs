using NasPlatform.Engine.Datasets;
using NasPlatform.Platform.Storage;

namespace NasPlatform.Platform.Datasets;

/// <summary>
/// Decoded datasets a worker has loaded, and their train/validation splits, so consecutive trials of
/// a search neither reread the file nor copy the split again. Holds the most recently used few; each
/// costs its pixels (uint8) plus one copy per split in use.
/// </summary>
public sealed class DatasetCache(IBlobStore blobs)
{
    private const int Capacity = 2;
    private readonly Lock _gate = new();
    private readonly LinkedList<Entry> _entries = new();

    private sealed record Entry(string Key, DatasetBundle Data, Dictionary<(double Fraction, long Seed), (ImageDataset Train, ImageDataset Validation)> Splits);

    public DatasetBundle Get(string dataBlob) => Find(dataBlob).Data;

    /// <summary>The search's stratified train/validation split of the training part (see <see cref="DataSplit.TrainValidation"/>).</summary>
    public (ImageDataset Train, ImageDataset Validation) Split(string dataBlob, double validationFraction, long seed)
    {
        var entry = Find(dataBlob);
        lock (entry.Splits)
        {
            if (!entry.Splits.TryGetValue((validationFraction, seed), out var split))
                entry.Splits[(validationFraction, seed)] = split = DataSplit.TrainValidation(entry.Data.Train, validationFraction, seed);
            return split;
        }
    }

    private Entry Find(string dataBlob)
    {
        lock (_gate)
        {
            for (var node = _entries.First; node is not null; node = node.Next)
                if (node.Value.Key == dataBlob)
                {
                    _entries.Remove(node);
                    _entries.AddFirst(node);
                    return node.Value;
                }
            DatasetBundle data;
            using (var stream = blobs.OpenRead(dataBlob)) data = DecodedDatasetFile.Read(stream);
            var entry = new Entry(dataBlob, data, []);
            _entries.AddFirst(entry);
            while (_entries.Count > Capacity) _entries.RemoveLast();
            return entry;
        }
    }
}
