using System.Diagnostics;
using System.Text.Json;
using NasPlatform.Engine.Components;
using NasPlatform.Engine.Export;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Tasks;
using NasPlatform.Engine.Tests.TestData;
using NasPlatform.Engine.Torch;
using NasPlatform.Engine.Zoo;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace NasPlatform.Engine.Tests.Export;

public sealed class PyTorchExportTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "nas-pytorch-" + Guid.NewGuid().ToString("N"));

    public PyTorchExportTests()
    {
        TorchRuntime.EnsureLoaded();
        Directory.CreateDirectory(_folder);
        WriteTorchStub(Path.Combine(_folder, "stub"));
    }

    public static IEnumerable<object[]> Spaces() => SearchCatalog.BuiltIn.Spaces.Names.Select(n => new object[] { n });


    [Theory]
    [MemberData(nameof(Spaces))]
    public void TheStateDict_RoundTripsThroughPyTorchsFileFormat(string spaceName)
    {
        var space = SpaceChecks.Create(spaceName, 3, 32, 10);
        var arch = SpaceChecks.Samples(space, 4, 1).First();
        var candidate = new Candidate(arch, space.Graph(arch), SpaceChecks.TaskFor(spaceName));
        using var trained = candidate.Build(1);
        using var fresh = candidate.Build(2);
        var path = Path.Combine(_folder, $"{spaceName}.pt");
        PyTorchExport.SaveStateDict(trained, path);
        fresh.load_py(path);

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        trained.eval();
        fresh.eval();
        var x = randn(4, 3, 32, 32);
        Assert.Equal(0f, (trained.call(x) - fresh.call(x)).abs().max().item<float>());
        // Buffers too: the running statistics travel with the weights.
        foreach (var (name, buffer) in trained.named_buffers())
            Assert.True(buffer.eq(fresh.named_buffers().Single(b => b.name == name).buffer).all().item<bool>(), name);
    }

    [Theory]
    [MemberData(nameof(Spaces))]
    public void ThePythonSource_BuildsTheSameNamesAndShapes_AsTheStateDict(string spaceName)
    {
        foreach (var input in new[] { (1, 28, 10), (3, 32, 10) })
        {
            var space = SpaceChecks.Create(spaceName, input.Item1, input.Item2, input.Item3);
            foreach (var arch in SpaceChecks.Samples(space, 6, 1))
                AssertSourceMatches(new Candidate(arch, space.Graph(arch), SpaceChecks.TaskFor(spaceName)));
        }
    }

    [Fact]
    public void EveryZooMember_HasPythonSourceThatMatches()
    {
        var input = new SpaceInput(new FeatureShape(1, 28, 28), new TaskOutput(10));
        foreach (var member in BaselineZoo.Members(SearchCatalog.BuiltIn, input, "classification"))
            AssertSourceMatches(new Candidate(member.Architecture, member.Space.Graph(member.Architecture), Mnas.Task));
    }

    /// <summary>
    /// Runs model.py under a stand-in for torch that records what each module registers (this machine
    /// has no PyTorch): every state-dict name with its shape must be what TorchSharp's network has.
    /// </summary>
    private void AssertSourceMatches(Candidate candidate)
    {
        var folder = Path.Combine(_folder, candidate.Hash);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, PyTorchExport.SourceFile), PyTorchExport.Source(candidate));
        using var net = candidate.Build(1);
        var expected = net.state_dict().ToDictionary(p => p.Key, p => p.Value.shape);

        var python = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-c", "import sys, json; sys.path[:0] = sys.argv[1:3]; from model import build; print(json.dumps(build().shapes()))",
                     Path.Combine(_folder, "stub"), folder })
            python.ArgumentList.Add(arg);
        using var process = Process.Start(python)!;
        var output = process.StandardOutput.ReadToEnd();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, errors);
        var actual = JsonSerializer.Deserialize<Dictionary<string, long[]>>(output)!;
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, shape) in expected) Assert.True(shape.SequenceEqual(actual[name]), $"{name}: {string.Join('x', shape)} vs {string.Join('x', actual[name])}");
    }

    /// <summary>torch and torch.nn as far as model.py's constructors use them: modules record their tensors' names and shapes.</summary>
    private static void WriteTorchStub(string root)
    {
        Directory.CreateDirectory(Path.Combine(root, "torch", "nn"));
        File.WriteAllText(Path.Combine(root, "torch", "__init__.py"), "from . import nn\n");
        File.WriteAllText(Path.Combine(root, "torch", "nn", "__init__.py"), """
            from collections import OrderedDict


            class Module:
                def __init__(self):
                    object.__setattr__(self, "_children", OrderedDict())
                    object.__setattr__(self, "_tensors", OrderedDict())

                def __setattr__(self, name, value):
                    if isinstance(value, Module):
                        self._children[name] = value
                    object.__setattr__(self, name, value)

                def shapes(self, prefix=""):
                    out = OrderedDict((prefix + n, s) for n, s in self._tensors.items())
                    for n, child in self._children.items():
                        out.update(child.shapes(prefix + n + "."))
                    return out


            class Conv2d(Module):
                def __init__(self, cin, cout, kernel, stride=1, padding=0, dilation=1, groups=1, bias=True):
                    super().__init__()
                    assert cin % groups == 0 and cout % groups == 0
                    self._tensors["weight"] = [cout, cin // groups, kernel, kernel]
                    if bias:
                        self._tensors["bias"] = [cout]


            class BatchNorm2d(Module):
                def __init__(self, channels, affine=True):
                    super().__init__()
                    for name in ("weight", "bias", "running_mean", "running_var") if affine else ("running_mean", "running_var"):
                        self._tensors[name] = [channels]
                    self._tensors["num_batches_tracked"] = []


            class Linear(Module):
                def __init__(self, cin, cout):
                    super().__init__()
                    self._tensors["weight"] = [cout, cin]
                    self._tensors["bias"] = [cout]


            class _NoTensors(Module):
                def __init__(self, *args, **kwargs):
                    super().__init__()


            class ReLU(_NoTensors): pass
            class AvgPool2d(_NoTensors): pass
            class MaxPool2d(_NoTensors): pass
            class PixelUnshuffle(_NoTensors): pass
            class Identity(_NoTensors): pass
            class Upsample(_NoTensors): pass


            class ModuleList(Module):
                def __init__(self, modules):
                    super().__init__()
                    for i, module in enumerate(modules):
                        setattr(self, str(i), module)


            class Sequential(Module):
                def __init__(self, layers):
                    super().__init__()
                    for name, module in layers.items():
                        setattr(self, name, module)
            """);
    }

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
