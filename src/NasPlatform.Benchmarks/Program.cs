using NasPlatform.Benchmarks;

var command = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "all";
string data = Arg(args, "--data") ?? "/usr/share/datasets/fashion-mnist";
int threads = int.Parse(Arg(args, "--threads") ?? Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);

var defaults = new NasPlatform.Engine.Latency.LatencyOptions();
var latency = defaults with
{
    TimedRuns = Int(Arg(args, "--runs")) ?? defaults.TimedRuns,
    Rounds = Int(Arg(args, "--rounds")) ?? defaults.Rounds,
    WarmupRuns = Int(Arg(args, "--warmup")) ?? defaults.WarmupRuns,
};
if (command == "browser-search")
{
    // Needs a running platform (dotnet run -c Release --project src/NasPlatform.Web) and Chromium.
    var run = new BrowserSearch(Arg(args, "--url") ?? "http://localhost:5080", data, Arg(args, "--screenshots") ?? "TestResults/benchmarks",
        Arg(args, "--email") ?? Environment.GetEnvironmentVariable("NAS_EMAIL") ?? "", Arg(args, "--password") ?? Environment.GetEnvironmentVariable("NAS_PASSWORD") ?? "");
    await run.RunAsync(BrowserSearch.Form(name => Arg(args, name)), Arg(args, "--name") ?? "fashion-mnist");
    return 0;
}
if (command == "views")
{
    // Starts its own platform from the Release build (dotnet build -c Release first) and Chromium.
    await new TrialViews(Directory.GetCurrentDirectory(), Int(Arg(args, "--trials")) ?? 10_000, Int(Arg(args, "--loads")) ?? 5,
        Int(Arg(args, "--requests")) ?? 1000, args.Contains("--keep")).RunAsync();
    return 0;
}
if (command == "spaces")
{
    int size = Int(Arg(args, "--size")) ?? 28;
    NasPlatform.Engine.Torch.TorchRuntime.Configure(threads);
    SpaceLatency.Run(new NasPlatform.Engine.Ops.FeatureShape(Int(Arg(args, "--channels")) ?? 1, size, size), 10, Int(Arg(args, "--samples")) ?? 20, latency);
    return 0;
}
if (command == "latency")
{
    int size = Int(Arg(args, "--size")) ?? 28;
    NasPlatform.Engine.Torch.TorchRuntime.Configure(threads);
    LatencyStability.Run(new NasPlatform.Engine.Ops.FeatureShape(Int(Arg(args, "--channels")) ?? 1, size, size), Int(Arg(args, "--models")) ?? 2, Int(Arg(args, "--repeats")) ?? 5, latency);
    return 0;
}
if (command == "runtimes")
{
    int size = Int(Arg(args, "--size")) ?? 28;
    NasPlatform.Engine.Torch.TorchRuntime.Configure(threads);
    Runtimes.Run(new NasPlatform.Engine.Ops.FeatureShape(Int(Arg(args, "--channels")) ?? 1, size, size), latency);
    return 0;
}
if (command == "onnx")
{
    NasPlatform.Engine.Torch.TorchRuntime.Configure(threads);
    OnnxFidelity.Run(Int(Arg(args, "--samples")) ?? 10);
    return 0;
}
if (command == "darts")
{
    DartsCost.Run(data, Int(Arg(args, "--images")) ?? 2000, Int(Arg(args, "--epochs")) ?? 2, Int(Arg(args, "--cells")) ?? 8,
        Int(Arg(args, "--channels")) ?? 16, Int(Arg(args, "--batch")) ?? 64, threads, Int(Arg(args, "--partial")) ?? 4,
        (Arg(args, "--orders") ?? "1,2").Split(',').Select(o => int.Parse(o, System.Globalization.CultureInfo.InvariantCulture)).ToArray());
    return 0;
}
if (command == "strategies")
{
    NasPlatform.Engine.Torch.TorchRuntime.Configure(1);
    StrategyTuning.Run(Int(Arg(args, "--seeds")) ?? 8, [20, 50, 100]);
    return 0;
}
if (command == "fmnist-1ms")
{
    var d = Fmnist1ms.Defaults(args.Contains("--quick"), data);
    Fmnist1ms.Run(d with
    {
        Out = Arg(args, "--out") ?? d.Out,
        Space = Arg(args, "--space") ?? d.Space,
        Strategy = Arg(args, "--strategy") ?? d.Strategy,
        LatencyMs = Dbl(Arg(args, "--latency-ms")) ?? d.LatencyMs,
        SearchMinutes = Dbl(Arg(args, "--search-minutes")) ?? d.SearchMinutes,
        TotalMinutes = Dbl(Arg(args, "--total-minutes")) ?? d.TotalMinutes,
        FinalEpochs = Int(Arg(args, "--final-epochs")) ?? d.FinalEpochs,
        Threads = threads,
        Seed = Int(Arg(args, "--seed")) ?? d.Seed,
        Baselines = args.Contains("--baselines") || (d.Baselines && !args.Contains("--no-baselines")),
        Runtime = Enum.Parse<NasPlatform.Engine.Latency.LatencyRuntime>(Arg(args, "--runtime") ?? d.Runtime.ToString(), ignoreCase: true),
    });
    return 0;
}
if (command == "detection-recipe")
{
    NasPlatform.Engine.Torch.TorchRuntime.Configure(threads);
    DetectionRecipe.Run(Arg(args, "--data") ?? "/work/runs/fmnist-det", Int(Arg(args, "--epochs")) ?? 10, Int(Arg(args, "--batch")) ?? 32,
        Arg(args, "--recipes") ?? "sgd:0.05,sgd:0.01,adamw:0.001,adamw:0.003");
    return 0;
}
var bench = new EngineBenchmarks(data, threads);
switch (command)
{
    case "throughput": bench.Throughput(); break;
    case "proxy": bench.ProxyTrial(); break;
    case "all": bench.Throughput(); bench.ProxyTrial(); break;
    default:
        Console.Error.WriteLine($"unknown benchmark '{command}': use all, throughput, latency, proxy, spaces, runtimes, onnx, darts, strategies, fmnist-1ms, detection-recipe, browser-search or views");
        return 2;
}
return 0;

static double? Dbl(string? s) => s is null ? null : double.Parse(s, System.Globalization.CultureInfo.InvariantCulture);

static int? Int(string? s) => s is null ? null : int.Parse(s, System.Globalization.CultureInfo.InvariantCulture);

static string? Arg(string[] args, string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
