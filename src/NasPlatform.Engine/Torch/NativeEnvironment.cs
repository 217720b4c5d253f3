using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NasPlatform.Engine.Torch;

/// <summary>
/// Settings libtorch's native libraries read from the process environment once, when they first run,
/// so they are set when the engine assembly loads, before any tensor exists.
/// </summary>
internal static class NativeEnvironment
{
    /// <summary>
    /// MKL's matrix products (libtorch's linear layers on CPU) otherwise pick kernels by the buffers'
    /// memory alignment, so the same seed gave different NAO proposals from run to run in one process;
    /// conditional numerical reproducibility makes them depend on the inputs only. A value the user set wins.
    /// </summary>
    public const string Reproducibility = "MKL_CBWR";

    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255", Justification = "Must run before any host or test touches libtorch.")]
    internal static void Initialize()
    {
        // .NET keeps its own copy of the environment; the native libraries read the C runtime's.
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) SetEnv(Reproducibility, "AUTO", overwrite: 0);
        else if (OperatingSystem.IsWindows() && Environment.GetEnvironmentVariable(Reproducibility) is null) PutEnv($"{Reproducibility}=AUTO");
    }

    [DllImport("libc", EntryPoint = "setenv", CharSet = CharSet.Ansi)]
    private static extern int SetEnv(string name, string value, int overwrite);

    [DllImport("ucrtbase", EntryPoint = "_putenv", CharSet = CharSet.Ansi)]
    private static extern int PutEnv(string assignment);
}
