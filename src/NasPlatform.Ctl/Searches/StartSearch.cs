using System.Text.Json.Nodes;
using NasPlatform.Ctl.CommandLine;
using NasPlatform.Ctl.Http;
using NasPlatform.Ctl.Output;

namespace NasPlatform.Ctl.Searches;

/// <summary>searches start: launch a search and, with --wait, follow it to the end and judge its model against the gates.</summary>
public static class StartSearch
{
    public static IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("--dataset", "ID", "Dataset to search on (required; it must be ready)."),
        new("--latency-ms", "T", "Latency budget in milliseconds for one batch-1 inference on the target device (required)."),
        new("--name", "NAME", "Name of the search (default: chosen by the server)."),
        new("--space", "NAME", "Search space: mnasnet, mnasnet-small, resnet, shufflenetv2 (default: mnasnet)."),
        new("--strategy", "NAME", "Search strategy: evolution, random, mnasnet-rl, hyperband or asha (default: evolution)."),
        new("--objective", "NAME", "The reward: mnasnet (default), or throughput (images/s at a batch size; the budget is then per batch)."),
        new("--objective-options", "JSON", "The objective's options as JSON, e.g. '{\"batchSize\": 64}' for throughput."),
        new("--constraint", "KIND", "soft (reward trades accuracy for latency) or hard (over budget = no reward); default soft."),
        new("--target-device", "CLASS", "Device class whose workers measure latency and train, e.g. cpu or cuda (default cpu)."),
        new("--latency-device", "agent:NAME", "Measure latency on one of your edge devices through its agent instead (see nasctl devices)."),
        new("--wait-for-worker", "MINUTES", "When no worker of the class is online: wait up to MINUTES for one (default: the search is refused)."),
        new("--max-trials", "N", "Number of architectures to try (default 20)."),
        new("--max-minutes", "M", "Wall-clock budget for the trials in minutes (default: none)."),
        new("--proxy-epochs", "N", "Training epochs per trial (default: from the dataset's size, about 300 steps)."),
        new("--proxy-fraction", "F", "Fraction of the training split each trial trains on, in (0, 1] (default 0.25, more on small datasets)."),
        new("--final-epochs", "N", "Training epochs for the final model (default: from the dataset's size, about 3,000 steps, at least 15)."),
        new("--batch-size", "N", "Training batch size (default 128, 64 below 10,000 training images)."),
        new("--flip", null, "Mirrored images keep their class: use horizontal flips in augmentation."),
        new("--random-erasing", "P", "Probability of random erasing per image in the final training (default 0.25; 0 = off)."),
        new("--ema", "DECAY", "Average the final training's weights with this EMA decay, e.g. 0.999 (default: off)."),
        new("--early-stopping", "RULE", "none, or median: a trial below the median curve of finished trials stops (default none)."),
        new("--prior", "NAME", "A topology prior added to the reward: none, or irlas (IRLAS's mirror stimuli from an expert network) (default none)."),
        new("--prior-weight", "W", "Weight of the prior's term in the reward (default 0.02)."),
        new("--prior-expert", "NAME", "The prior's expert network, a zoo member such as resnet20-1x (default: the space's own family, else resnet20-1x)."),
        new("--baselines", null, "Also train the baseline zoo (hand-designed networks) with the final recipe."),
        new("--baseline-families", "NAMES", "With --baselines: only these zoo families, comma-separated (e.g. deeplab or resnet20,mobilenetv2)."),
        new("--seed", "S", "Random seed (default 1)."),
        new("--parallelism", "P", "Trials queued or running at once (default: the server's)."),
        new("--wait", null, "Follow the search, one line per finished trial, until it succeeds (exit 0), fails or is cancelled (exit 1); " +
                            "a hard budget no architecture kept exits 5."),
        new("--" + Gates.MinAccuracy, "A", "With --wait: exit 1 unless the final model's test accuracy is at least A (0.85, 85 or 85%)."),
        new("--" + Gates.MinMetric, "M", "With --wait: exit 1 unless the final model's test metric, whatever its task ranks by (accuracy, miou), is at least M."),
        new("--" + Gates.MaxLatencyMs, "L", "With --wait: exit 1 unless the final model's latency is at most L milliseconds."),
    ];

    public static async Task<int> RunAsync(CommandContext context)
    {
        var args = context.Args;
        var body = Request(args);
        double? minAccuracy = Gates.ParseMinAccuracy(args);
        double? minMetric = Gates.ParseMinMetric(args);
        double? maxLatency = Gates.ParseMaxLatency(args);
        bool wait = args.Flag("--wait");
        if ((minAccuracy ?? minMetric ?? maxLatency) is not null && !wait)
            throw OptionValues.Usage(args, $"--{Gates.MinAccuracy}, --{Gates.MinMetric} and --{Gates.MaxLatencyMs} need --wait: they judge the final model");

        var acceptedNode = await context.Api.PostAsync("api/v1/searches", body, context.Cancellation);
        string id = CommandContext.Read<Accepted>(acceptedNode).Id ?? throw new ApiException("the server's answer to the search launch has no id");
        if (!wait)
        {
            if (context.Json) context.WriteJson(acceptedNode);
            else context.Out.WriteLine(id);
            return ExitCodes.Success;
        }

        JsonNode searchNode;
        Search search;
        try
        {
            (searchNode, search) = await new SearchWatcher(context, id).WatchAsync();
        }
        catch (OperationCanceledException) when (context.Cancellation.IsCancellationRequested)
        {
            context.Error.WriteLine($"search {id} keeps running on the server; 'nasctl searches cancel {id}' stops it.");
            throw;
        }
        JsonNode? modelNode = null;
        Model? model = null;
        if (search.ModelId is { Length: > 0 } modelId)
        {
            modelNode = await Polling.GetAsync(context, $"api/v1/models/{Polling.Segment(modelId)}", context.Poll(TimeSpan.FromSeconds(2)));
            model = CommandContext.Read<Model>(modelNode);
        }
        var gates = Gates.Evaluate(minAccuracy, maxLatency, model, minMetric);
        bool succeeded = search.Status == SearchStatus.Succeeded;
        bool passed = succeeded && model is not null && gates.All(g => g.Passed);

        var summary = context.Json ? context.Error : context.Out;
        summary.WriteLine($"search {id} {search.Status}: {search.TrialsCompleted ?? 0} trials in {SearchCommands.Duration(search)}");
        if (search.BestTrial is { } best) summary.WriteLine($"best {SearchCommands.Best(best)}");
        if (model is not null)
        {
            summary.WriteLine($"model {model.Id}  test {model.Metric ?? "metric"} {Fmt.Percent(model.TestMetric)}  latency {Fmt.Ms(model.LatencyMs)}  " +
                $"params {Fmt.Count(model.Parameters)}  ({model.Name})");
        }
        if (search.Status == SearchStatus.Failed) context.Error.WriteLine($"error: search {id} failed: {search.Error ?? "(no reason given)"}");
        else if (!succeeded) context.Error.WriteLine($"error: search {id} was {search.Status}");
        else if (model is null) context.Error.WriteLine($"error: search {id} succeeded but has no final model");
        else if (search.OverBudget)
            context.Error.WriteLine($"error: search {id} is over budget: no architecture found keeps the hard budget of {Fmt.Ms(search.LatencyBudgetMs)} " +
                                    $"(the model measures {Fmt.Ms(model.LatencyMs)})");
        foreach (var gate in gates) (gate.Passed ? summary : context.Error).WriteLine(gate.Describe());

        if (context.Json)
        {
            context.WriteJson(new JsonObject
            {
                ["search"] = searchNode,
                ["model"] = modelNode,
                ["gates"] = new JsonArray([.. gates.Select(g => (JsonNode)g.ToJson())]),
                ["passed"] = passed && !search.OverBudget,
            });
        }
        return !passed ? ExitCodes.Failed : search.OverBudget ? ExitCodes.OverBudget : ExitCodes.Success;
    }

    /// <summary>The request body with only the fields given: everything left out takes the server's default.</summary>
    internal static JsonObject Request(ParsedArguments args)
    {
        var body = new JsonObject
        {
            ["datasetId"] = args.Required("--dataset"),
            ["latencyBudgetMs"] = args.Double("--latency-ms") ?? throw OptionValues.Usage(args, "'searches start' needs --latency-ms"),
        };
        void Text(string option, string field)
        {
            if (args.Value(option) is { } value) body[field] = value;
        }
        void Number(string field, JsonNode? value)
        {
            if (value is not null) body[field] = value;
        }
        Text("--name", "name");
        Text("--space", "searchSpace");
        Text("--strategy", "strategy");
        Text("--early-stopping", "earlyStopping");
        Text("--prior", "prior");
        Text("--prior-expert", "priorExpert");
        Number("priorWeight", args.Double("--prior-weight"));
        Text("--objective", "objective");
        if (args.Value("--objective-options") is { } objectiveOptions)
        {
            try
            {
                body["objectiveOptions"] = JsonNode.Parse(objectiveOptions) as JsonObject
                    ?? throw OptionValues.Usage(args, "--objective-options is a JSON object, e.g. '{\"batchSize\": 64}'");
            }
            catch (System.Text.Json.JsonException)
            {
                throw OptionValues.Usage(args, "--objective-options is not valid JSON");
            }
        }
        Text("--constraint", "constraint");
        Text("--target-device", "targetDevice");
        Text("--latency-device", "latencyDevice");
        Number("waitForWorkerMinutes", args.Double("--wait-for-worker"));
        Number("maxTrials", args.Int("--max-trials"));
        Number("maxMinutes", args.Double("--max-minutes"));
        Number("proxyEpochs", args.Int("--proxy-epochs"));
        Number("proxyFraction", args.Double("--proxy-fraction"));
        Number("finalEpochs", args.Int("--final-epochs"));
        Number("batchSize", args.Int("--batch-size"));
        Number("randomErasing", args.Double("--random-erasing"));
        Number("emaDecay", args.Double("--ema"));
        if (args.Flag("--flip")) body["horizontalFlip"] = true;
        if (args.Flag("--baselines")) body["baselines"] = true;
        if (args.Value("--baseline-families") is { } families)
            body["baselineFamilies"] = new JsonArray(families.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(f => (JsonNode?)JsonValue.Create(f)).ToArray());
        Number("seed", args.Long("--seed"));
        Number("parallelism", args.Int("--parallelism"));
        return body;
    }
}
