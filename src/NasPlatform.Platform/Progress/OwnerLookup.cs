using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using NasPlatform.Data;

namespace NasPlatform.Platform.Progress;

/// <summary>Who owns a dataset or search, remembered (an owner never changes) so progress messages cost no query each.</summary>
public sealed class OwnerLookup(IDbContextFactory<NasDbContext> dbf)
{
    private const int MaxEntries = 100_000;
    private readonly ConcurrentDictionary<Guid, Guid> _owners = new();

    public Task<Guid?> OfDatasetAsync(Guid id) => LookupAsync(id, db => db.Datasets.Where(d => d.Id == id).Select(d => (Guid?)d.OwnerId));

    public Task<Guid?> OfSearchAsync(Guid id) => LookupAsync(id, db => db.Searches.Where(s => s.Id == id).Select(s => (Guid?)s.OwnerId));

    private async Task<Guid?> LookupAsync(Guid id, Func<NasDbContext, IQueryable<Guid?>> query)
    {
        if (_owners.TryGetValue(id, out var known)) return known;
        await using var db = await dbf.CreateDbContextAsync();
        var owner = await query(db).FirstOrDefaultAsync();
        if (owner is { } o)
        {
            if (_owners.Count >= MaxEntries) _owners.Clear();
            _owners[id] = o;
        }
        return owner;
    }
}
