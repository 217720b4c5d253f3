using System.Net;
using NasPlatform.Web.Tests.Infrastructure;
using NasPlatform.Web.Tests.Toy;

namespace NasPlatform.Web.Tests.Api;

/// <summary>
/// A seed is a promise through the whole platform, not only in the engine: two random searches started with
/// the same seed through the API (two trials at a time, so completion order varies) propose the same
/// architectures in the same order; another seed proposes others.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class ReproducibilityTests(PlatformFactory factory)
{
    private readonly PlatformClient _client = new(factory);

    [Fact]
    public async Task TheSameSeed_ProposesTheSameTrialSequence_AnotherSeedDoesNot()
    {
        var dataset = await _client.UploadAndWaitAsync(TestZips.TinyIdx(), "reproducible data");
        var datasetId = dataset["id"]!.GetValue<Guid>();
        var first = await SequenceAsync(datasetId, seed: 11);
        var again = await SequenceAsync(datasetId, seed: 11);
        var other = await SequenceAsync(datasetId, seed: 12);
        Assert.Equal(6, first.Count);
        Assert.True(first.Distinct().Count() > 2, string.Join(" ", first));
        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    /// <summary>The architecture hashes of a finished search's trials, by trial number.</summary>
    private async Task<List<string>> SequenceAsync(Guid datasetId, long seed)
    {
        var response = await _client.StartSearchAsync(new
        {
            datasetId, latencyBudgetMs = 5.0, strategy = "random", searchSpace = ToySpace.SpaceName, objective = ToyObjective.ObjectiveName,
            maxTrials = 6, proxyEpochs = 1, finalEpochs = 1, parallelism = 2, seed,
        });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await PlatformClient.Json(response))["id"]!.GetValue<Guid>();
        var search = await _client.WaitForSearchEndAsync(id, TimeSpan.FromMinutes(3));
        Assert.True(search["status"]!.GetValue<string>() == "succeeded", search.ToJsonString());
        var trials = (await _client.GetAsync($"/api/v1/searches/{id}/trials?pageSize=50"))["items"]!.AsArray();
        return trials.OrderBy(t => t!["number"]!.GetValue<int>()).Select(t => t!["architectureHash"]!.GetValue<string>()).ToList();
    }
}
