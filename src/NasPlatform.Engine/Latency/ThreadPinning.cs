using System.Runtime.InteropServices;

namespace NasPlatform.Engine.Latency;

/// <summary>
/// Keeps the measuring thread on the core it is running on for the length of a measurement (Linux only;
/// elsewhere a no-op): a migration in the middle of a timed run costs a cold cache. With one intra-op
/// thread libtorch runs the kernels on the calling thread, so this pins the measured work itself.
/// </summary>
internal sealed class ThreadPinning : IDisposable
{
    private readonly ulong _previous;
    private readonly bool _pinned;

    private ThreadPinning(ulong previous, bool pinned) => (_previous, _pinned) = (previous, pinned);

    public static ThreadPinning ToCurrentCore()
    {
        if (!OperatingSystem.IsLinux()) return new ThreadPinning(0, false);
        try
        {
            ulong mask = 0;
            if (sched_getaffinity(0, sizeof(ulong), ref mask) != 0) return new ThreadPinning(0, false);
            int cpu = sched_getcpu();
            if (cpu < 0 || cpu >= 64) return new ThreadPinning(0, false);
            ulong one = 1UL << cpu;
            return new ThreadPinning(mask, sched_setaffinity(0, sizeof(ulong), ref one) == 0);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return new ThreadPinning(0, false);
        }
    }

    public void Dispose()
    {
        if (!_pinned) return;
        ulong mask = _previous;
        sched_setaffinity(0, sizeof(ulong), ref mask);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int sched_getaffinity(int pid, nint size, ref ulong mask);

    [DllImport("libc", SetLastError = true)]
    private static extern int sched_setaffinity(int pid, nint size, ref ulong mask);

    [DllImport("libc")]
    private static extern int sched_getcpu();
}
