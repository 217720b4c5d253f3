using System.Runtime.InteropServices;
using NasPlatform.Engine.Torch;

namespace NasPlatform.Engine.Tests.Torch;

public class NativeEnvironmentTests
{
    [Fact]
    public void LoadingTheEngine_AsksMklForReproducibleProducts_InTheEnvironmentNativeCodeReads()
    {
        if (!OperatingSystem.IsLinux()) return;
        TorchRuntime.EnsureLoaded();

        var value = Marshal.PtrToStringAnsi(GetEnv(NativeEnvironment.Reproducibility));

        Assert.Equal(Environment.GetEnvironmentVariable(NativeEnvironment.Reproducibility) ?? "AUTO", value);
    }

    [DllImport("libc", EntryPoint = "getenv", CharSet = CharSet.Ansi)]
    private static extern IntPtr GetEnv(string name);
}
