using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using NasPlatform.Data.Entities;
using NasPlatform.Platform.Datasets;
using NasPlatform.Platform.Accounts;
using NasPlatform.Platform.Searches;
using NasPlatform.Platform.Studies;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Priors;

namespace NasPlatform.Web.Components.Pages.Searches;

/// <summary>
/// The search form; at /studies/new the same form starts a study: several strategies (checked) x several seeds,
/// every other setting shared by all of their searches.
/// </summary>
public partial class NewSearch
{
    [SupplyParameterFromQuery(Name = "dataset")] public Guid? DatasetQuery { get; set; }

    private static readonly SearchRequest Defaults = new();
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private List<Dataset>? datasets;
    private List<string> devices = ["cpu"];
    private string datasetId = "";
    private string? name;
    private string searchSpace = Defaults.SearchSpace;
    private string strategy = Defaults.Strategy;
    private string objective = Defaults.Objective;
    private string? spaceOptions;
    private string? objectiveOptions;
    private StrategyOptionsFields? strategyFields;
    private string targetDevice = Defaults.TargetDevice;
    private string latencyDevice = "";
    private List<(string Target, bool Online)> edgeDevices = [];
    private string constraint = Defaults.Constraint;
    private string? latencyBudget;
    private string? maxTrials = Defaults.MaxTrials.ToString(Inv);
    private string? maxMinutes;
    private string? proxyEpochs;
    private string? proxyFraction;
    private string? finalEpochs;
    private string? randomErasing = Defaults.RandomErasing.ToString(Inv);
    private string? emaDecay;
    private bool horizontalFlip;
    private bool baselines;
    private string earlyStopping = SearchOptions.NoEarlyStopping;
    private string prior = PriorOptions.None;
    private string? priorWeight = PriorOptions.DefaultWeight.ToString(Inv);
    private string priorExpert = "";
    private string? seed = Defaults.Seed.ToString(Inv);
    private string? parallelism;
    private HashSet<string> studyStrategies = ["random", "evolution"];
    private string? studySeeds = "1, 2, 3";
    private Dictionary<string, string[]> errors = [];
    private string? formError;
    private bool submitting;

    private static class Field
    {
        public const string Name = "name", LatencyBudgetMs = "latencyBudgetMs", MaxTrials = "maxTrials", MaxMinutes = "maxMinutes",
            ProxyEpochs = "proxyEpochs", ProxyFraction = "proxyFraction", FinalEpochs = "finalEpochs", Seed = "seed", Parallelism = "parallelism",
            SpaceOptions = "spaceOptions", RandomErasing = "randomErasing", EmaDecay = "emaDecay", PriorWeight = "priorWeight", Seeds = "seeds",
            ObjectiveOptions = "objectiveOptions";
    }

    protected override async Task OnInitializedAsync()
    {
        await using (var db = await Dbf.CreateDbContextAsync())
        {
            datasets = await db.Datasets.AsNoTracking().VisibleTo(await Me.GetAsync()).Where(d => d.Status == DatasetStatus.Ready).OrderBy(d => d.Name).ToListAsync();
        }
        var workers = await NasPlatform.Web.Api.WorkersApi.LoadAsync(Dbf, Options.Value, Time, CancellationToken.None);
        devices = workers.Where(w => w.Online).Select(w => w.DeviceClass).Append("cpu").Distinct().OrderBy(d => d == "cpu" ? "" : d).ToList();
        edgeDevices = (await EdgeDevices.ListAsync(await Me.GetAsync(), CancellationToken.None))
            .Select(d => (NasPlatform.Platform.Devices.EdgeDeviceService.TargetPrefix + d.Name, EdgeDevices.IsOnline(d))).ToList();
        if (DatasetQuery is { } q && datasets.Any(d => d.Id == q)) datasetId = q.ToString();
        else if (datasets.Count == 1) datasetId = datasets[0].Id.ToString();
        OnDatasetChanged();
    }

    /// <summary>The chosen dataset's task (searches of it are for that task); classification before one is chosen.</summary>
    private string SelectedTask => datasets?.FirstOrDefault(d => d.Id.ToString() == datasetId)?.Task ?? Engine.Tasks.Classification.ClassificationTask.TaskName;

    /// <summary>The spaces that build networks for the chosen dataset's task.</summary>
    private IEnumerable<Engine.Spaces.ISearchSpaceDefinition> SpacesForTask => Setup.Catalog.Spaces.All.Where(s => s.Tasks.Contains(SelectedTask));

    /// <summary>A space that cannot serve the new dataset's task gives way to the first one that can.</summary>
    private void OnDatasetChanged()
    {
        if (!SpacesForTask.Any(s => s.Name == searchSpace) && SpacesForTask.FirstOrDefault() is { } first) searchSpace = first.Name;
    }

    private bool IsStudy => new Uri(Nav.Uri).AbsolutePath.TrimEnd('/').EndsWith("/studies/new", StringComparison.OrdinalIgnoreCase);

    private bool Has(string field) => errors.ContainsKey(field);

    private string Msg(string field) => errors.TryGetValue(field, out var m) ? string.Join(" ", m) : "";

    private async Task SubmitAsync()
    {
        formError = null;
        var parse = new Dictionary<string, string[]>();
        double? Dbl(string? text, string field, bool optional)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                if (!optional) parse[field] = ["Required."];
                return null;
            }
            if (double.TryParse(text.Trim(), NumberStyles.Float, Inv, out var v)) return v;
            parse[field] = ["Enter a number."];
            return null;
        }
        long? Int(string? text, string field, bool optional)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                if (!optional) parse[field] = ["Required."];
                return null;
            }
            if (long.TryParse(text.Trim(), NumberStyles.Integer, Inv, out var v)) return v;
            parse[field] = ["Enter a whole number."];
            return null;
        }
        System.Text.Json.JsonElement? Json(string? text, string field)
        {
            if (string.IsNullOrWhiteSpace(text)) return null;
            try { return System.Text.Json.JsonDocument.Parse(text).RootElement.Clone(); }
            catch (System.Text.Json.JsonException) { parse[field] = ["Enter a JSON object such as {\"widthScale\": 0.5}."]; return null; }
        }
        static int Clip(long? v, int fallback) => v is { } x ? (int)Math.Clamp(x, int.MinValue, int.MaxValue) : fallback;

        var request = new SearchRequest
        {
            DatasetId = Guid.TryParse(datasetId, out var id) ? id : Guid.Empty,
            Name = string.IsNullOrWhiteSpace(name) ? null : name.Trim(),
            SearchSpace = searchSpace,
            SpaceOptions = Json(spaceOptions, Field.SpaceOptions),
            Strategy = strategy,
            StrategyOptions = strategyFields?.Build(parse),
            Objective = objective,
            ObjectiveOptions = Json(objectiveOptions, Field.ObjectiveOptions),
            LatencyBudgetMs = Dbl(latencyBudget, Field.LatencyBudgetMs, false) ?? 0,
            Constraint = constraint,
            TargetDevice = targetDevice,
            LatencyDevice = latencyDevice.Length == 0 ? null : latencyDevice,
            MaxTrials = Clip(Int(maxTrials, Field.MaxTrials, false), Defaults.MaxTrials),
            MaxMinutes = Dbl(maxMinutes, Field.MaxMinutes, true),
            ProxyEpochs = Int(proxyEpochs, Field.ProxyEpochs, true) is { } pe ? Clip(pe, 0) : null,
            ProxyFraction = Dbl(proxyFraction, Field.ProxyFraction, true),
            FinalEpochs = Int(finalEpochs, Field.FinalEpochs, true) is { } fe ? Clip(fe, 0) : null,
            RandomErasing = Dbl(randomErasing, Field.RandomErasing, false) ?? Defaults.RandomErasing,
            EmaDecay = Dbl(emaDecay, Field.EmaDecay, true),
            HorizontalFlip = horizontalFlip,
            Baselines = baselines,
            EarlyStopping = earlyStopping,
            Prior = prior,
            PriorWeight = prior == PriorOptions.None ? PriorOptions.DefaultWeight : Dbl(priorWeight, Field.PriorWeight, false) ?? PriorOptions.DefaultWeight,
            PriorExpert = prior == PriorOptions.None || priorExpert.Length == 0 ? null : priorExpert,
            Seed = Int(seed, Field.Seed, false) ?? Defaults.Seed,
            Parallelism = Int(parallelism, Field.Parallelism, true) is { } p ? (int)Math.Clamp(p, int.MinValue, int.MaxValue) : null,
        };
        if (IsStudy)
        {
            await SubmitStudyAsync(request, parse);
            return;
        }
        errors = request.Validate(Setup.Catalog);
        foreach (var (field, messages) in parse) errors[field] = messages;
        if (errors.Count > 0) return;

        await SendAsync(async () =>
        {
            var search = await Searches.CreateAsync(request, await Me.GetAsync(), CancellationToken.None);
            return $"/searches/{search.Id}";
        });
    }

    /// <summary>Runs the service call of a valid form, then goes to the page it names; a refusal shows beside the fields or above the form.</summary>
    private async Task SendAsync(Func<Task<string>> send)
    {
        submitting = true;
        try
        {
            Nav.NavigateTo(await send());
        }
        catch (SearchValidationException e)
        {
            errors = e.Errors;
        }
        catch (PlatformException e)
        {
            formError = e.Message;
        }
        finally
        {
            submitting = false;
        }
    }

    /// <summary>The shared settings go to the study service, which validates them once per strategy and starts all searches or none.</summary>
    private async Task SubmitStudyAsync(SearchRequest shared, Dictionary<string, string[]> parse)
    {
        var seeds = new List<long>();
        foreach (var part in (studySeeds ?? "").Split([',', ' '], StringSplitOptions.RemoveEmptyEntries))
        {
            if (long.TryParse(part, NumberStyles.Integer, Inv, out var value)) seeds.Add(value);
            else parse[Field.Seeds] = ["Enter whole numbers separated by commas, e.g. 1, 2, 3."];
        }
        // Each strategy's own check runs in the study service; the form's single strategy is not one of them.
        errors = shared.Validate(Setup.Catalog);
        errors.Remove("strategy");
        errors.Remove("strategyOptions");
        foreach (var (field, messages) in parse) errors[field] = messages;
        if (errors.Count > 0) return;
        var strategies = Setup.Catalog.AllStrategies.Select(s => s.Name).Where(studyStrategies.Contains).ToList();
        await SendAsync(async () =>
        {
            var (study, _) = await Studies.CreateAsync(new StudyRequest { Name = shared.Name, Strategies = strategies, Seeds = seeds, Search = shared },
                await Me.GetAsync(), CancellationToken.None);
            return $"/studies/{study.Id}";
        });
    }
}
