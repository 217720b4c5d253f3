using TorchSharp;
using static TorchSharp.torch;

namespace NasPlatform.Engine.Torch;

/// <summary>
/// Process-wide TorchSharp set-up: loading the native backend with a clear error, device selection,
/// thread count and determinism, and the locks that keep measurements honest.
/// </summary>
public static class TorchRuntime
{
    private static readonly object LoadGate = new();
    private static bool _loaded;

    /// <summary>
    /// Held by whoever uses the compute device: training and latency measurement never overlap on the
    /// same cores, so a measured latency is not inflated by a concurrent training step.
    /// </summary>
    public static SemaphoreSlim DeviceLock { get; } = new(1, 1);

    /// <summary>Guards torch's process-wide generator while a seeded model is initialized.</summary>
    private static readonly object SeedGate = new();

    /// <summary>Loads the native backend once; throws an explanation instead of a type-initializer crash.</summary>
    public static void EnsureLoaded()
    {
        if (_loaded) return;
        lock (LoadGate)
        {
            if (_loaded) return;
            try
            {
                using var probe = torch.zeros(1);
                _loaded = true;
            }
            catch (Exception ex) when (ex is TypeInitializationException or DllNotFoundException or NotSupportedException or InvalidOperationException)
            {
                throw new InvalidOperationException(
                    "TorchSharp's native library (libtorch / libLibTorchSharp) could not be loaded. " +
                    "On Debian 12 / Ubuntu 22.04 the build marks libLibTorchSharp.so's GLIBCXX_3.4.32 need as weak; " +
                    "rebuild the project (dotnet build) rather than copying binaries from another machine, and check " +
                    "'ldd bin/.../runtimes/linux-x64/native/libLibTorchSharp.so' for missing libraries. Cause: " +
                    Innermost(ex).Message, ex);
            }
        }
    }

    /// <summary>"cpu", "cuda", "cuda:N" or "auto" (CUDA when available, else CPU).</summary>
    public static Device ResolveDevice(string spec)
    {
        EnsureLoaded();
        var s = spec.Trim().ToLowerInvariant();
        if (s == "auto") return cuda.is_available() ? CUDA : CPU;
        if (s == "cpu") return CPU;
        if (s.StartsWith("cuda", StringComparison.Ordinal))
        {
            if (!cuda.is_available())
                throw new InvalidOperationException(
                    $"Device '{spec}' was requested but CUDA is not available: no GPU is visible, or this build uses the CPU libtorch backend (GPU workers build with -p:TorchBackend=cuda).");
            return torch.device(s);
        }
        throw new ArgumentException($"Unknown device '{spec}': use cpu, cuda, cuda:N or auto.");
    }

    /// <summary>
    /// Fixes the intra-op thread count. TorchSharp 0.107 does not implement
    /// use_deterministic_algorithms; libtorch's CPU kernels used here (convolution, batch norm, linear,
    /// pooling) are deterministic for a fixed thread count, which is what makes a seed repeatable on
    /// CPU. On GPU, cuDNN may pick non-deterministic algorithms.
    /// </summary>
    public static void Configure(int threads)
    {
        EnsureLoaded();
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), "At least one thread is needed.");
        torch.set_num_threads(threads);
    }

    /// <summary>Runs <paramref name="create"/> with torch's generator seeded, under a lock (it is process-wide).</summary>
    public static T Seeded<T>(long seed, Func<T> create)
    {
        EnsureLoaded();
        lock (SeedGate)
        {
            torch.manual_seed(seed);
            return create();
        }
    }

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null) ex = ex.InnerException;
        return ex;
    }
}
