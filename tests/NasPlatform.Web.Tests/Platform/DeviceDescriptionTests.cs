using NasPlatform.Platform.Workers;

namespace NasPlatform.Web.Tests.Platform;

public sealed class DeviceDescriptionTests
{
    // Captured from nvidia-smi on an H200 machine, plus a second GPU line.
    private const string Output = "0, NVIDIA H200, 143771\n1, NVIDIA H100 80GB HBM3, 81559\n";

    [Fact]
    public void ParseNvidiaSmi_ReadsTheRequestedGpusNameAndMemory()
    {
        Assert.Equal(("NVIDIA H200", 143771L), DeviceDescription.ParseNvidiaSmi(Output, 0));
        Assert.Equal(("NVIDIA H100 80GB HBM3", 81559L), DeviceDescription.ParseNvidiaSmi(Output, 1));
        Assert.Null(DeviceDescription.ParseNvidiaSmi(Output, 2));
        Assert.Null(DeviceDescription.ParseNvidiaSmi("NVIDIA-SMI has failed", 0));
    }

    [Fact]
    public void CpuWorker_IsDescribedByItsCpuAndThreads()
    {
        var (name, memory) = DeviceDescription.Describe(new NasPlatform.Platform.Configuration.WorkerOptions { Threads = 1 });
        Assert.Contains("1 training threads", name);
        Assert.True(memory > 0);
    }
}
