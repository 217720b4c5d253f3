using System.Collections.Concurrent;

namespace NasPlatform.Web.Security;

/// <summary>Counts each user's uploads in progress, so one account cannot tie up the server's disk and bandwidth.</summary>
public sealed class UploadSlots
{
    private readonly ConcurrentDictionary<Guid, int> _inUse = new();

    /// <summary>Takes a slot, or returns null when the user already has <paramref name="max"/> uploads running.</summary>
    public IDisposable? TryTake(Guid userId, int max)
    {
        while (true)
        {
            int current = _inUse.GetOrAdd(userId, 0);
            if (current >= max) return null;
            if (_inUse.TryUpdate(userId, current + 1, current)) return new Slot(this, userId);
        }
    }

    private void Release(Guid userId) => _inUse.AddOrUpdate(userId, 0, (_, n) => Math.Max(0, n - 1));

    private sealed class Slot(UploadSlots owner, Guid userId) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) owner.Release(userId);
        }
    }
}
