using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using NasPlatform.Web.Tests.Infrastructure;

namespace NasPlatform.Web.Tests.Security;

/// <summary>
/// Every API route and download link, as the owner, as another user, anonymously, with a read-only,
/// a revoked and an expired token, and as an administrator.
/// </summary>
public abstract class AuthorizationMatrixTests(PlatformFactory factory)
{
    private sealed record Route(string Method, string Path, bool Writes, Func<HttpContent?>? Body = null)
    {
        public HttpRequestMessage Request() => new(new HttpMethod(Method), Path) { Content = Body?.Invoke() };

        public override string ToString() => $"{Method} {Path}";
    }

    /// <summary>Routes that name one of the owner's resources.</summary>
    private static List<Route> OwnedRoutes(SeededResources r) =>
    [
        new("GET", $"/api/v1/datasets/{r.DatasetId}", false),
        new("GET", $"/api/v1/datasets/{r.DatasetId}/preview/0", false),
        new("GET", $"/api/v1/searches/{r.SearchId}", false),
        new("GET", $"/api/v1/searches/{r.SearchId}/trials", false),
        new("GET", $"/api/v1/searches/{r.SearchId}/baselines", false),
        new("GET", $"/api/v1/searches/{r.SearchId}/repairs", false),
        new("GET", $"/api/v1/models/{r.ModelId}", false),
        new("GET", $"/api/v1/models/{r.ModelId}/download", false),
        new("POST", "/api/v1/searches", true, () => JsonContent.Create(new { datasetId = r.DatasetId, latencyBudgetMs = 5.0 })),
        new("POST", $"/api/v1/searches/{r.RunningSearchId}/cancel", true),
        new("POST", $"/api/v1/searches/{r.SearchId}/resume", true),
        new("DELETE", $"/api/v1/searches/{r.SearchId}", true),
        new("DELETE", $"/api/v1/datasets/{r.DatasetId}", true),
        new("POST", $"/api/v1/datasets/{r.DatasetId}/segmentation-demo", true, () => JsonContent.Create(new { count = 10, size = 16 })),
        new("GET", $"/api/v1/webhooks/{r.WebhookId}/deliveries", false),
        new("DELETE", $"/api/v1/webhooks/{r.WebhookId}", true),
        new("DELETE", $"/api/v1/devices/{r.DeviceId}", true),
    ];

    private static readonly List<Route> CollectionRoutes =
    [
        new("GET", "/api/v1/datasets", false),
        new("GET", "/api/v1/searches", false),
        new("GET", "/api/v1/models", false),
        new("GET", "/api/v1/workers", false),
        new("GET", "/api/v1/webhooks", false),
        new("GET", "/api/v1/devices", false),
        new("POST", "/api/v1/devices", true, () => JsonContent.Create(new { name = $"matrix-{Guid.NewGuid():N}"[..20] })),
        new("POST", "/api/v1/webhooks", true, () => JsonContent.Create(new { url = "https://example.com/matrix" })),
        new("POST", "/api/v1/datasets", true, () => new MultipartFormDataContent { { new StringContent("x"), "name" } }),
    ];

    [Fact]
    public async Task AnotherUser_Gets404_OnEveryRouteNamingTheOwnersResources_AndSeesNoneInLists()
    {
        var a = await factory.FinishedSearchAsync(factory.OwnerId);
        var (_, bToken) = await factory.CreateUserWithTokenAsync($"b-{Guid.NewGuid():N}@tests.local");
        using var b = factory.ApiAs(bToken);
        foreach (var route in OwnedRoutes(a))
        {
            var response = await b.SendAsync(route.Request());
            var problem = await PlatformClient.AssertProblemAsync(response, 404, "does not exist");
            Assert.DoesNotContain("belong", problem.ToJsonString()); // looks exactly like a missing id
        }
        foreach (var (path, id) in new[] { ("/api/v1/datasets", a.DatasetId), ("/api/v1/searches", a.SearchId), ("/api/v1/models", a.ModelId) })
            Assert.DoesNotContain(id.ToString(), await b.GetStringAsync(path));

        // The owner's resources are all still there, and the owner reaches every read route.
        using var owner = factory.Api();
        foreach (var route in OwnedRoutes(a).Where(r => !r.Writes))
            Assert.True((await owner.SendAsync(route.Request())).IsSuccessStatusCode, route.ToString());
        Assert.Contains(a.ModelId.ToString(), await owner.GetStringAsync("/api/v1/models"));
    }

    [Fact]
    public async Task Anonymous_Gets401Problem_OnEveryApiRoute()
    {
        var a = await factory.FinishedSearchAsync(factory.OwnerId);
        using var anonymous = factory.ApiAs(null);
        foreach (var route in OwnedRoutes(a).Concat(CollectionRoutes))
        {
            var response = await anonymous.SendAsync(route.Request());
            await PlatformClient.AssertProblemAsync(response, 401, "token");
        }
        using var bogus = factory.ApiAs("nas_not-a-real-token");
        await PlatformClient.AssertProblemAsync(await bogus.GetAsync("/api/v1/datasets"), 401, "invalid, expired or revoked");
    }

    [Fact]
    public async Task ReadOnlyToken_Reads_ButGets403_OnEveryWrite()
    {
        var a = await factory.FinishedSearchAsync(factory.OwnerId);
        using var readOnly = factory.ApiAs(await factory.CreateTokenAsync(factory.OwnerId, readOnly: true));
        foreach (var route in OwnedRoutes(a).Concat(CollectionRoutes))
        {
            var response = await readOnly.SendAsync(route.Request());
            if (route.Writes) await PlatformClient.AssertProblemAsync(response, 403, "read-only");
            else Assert.True(response.IsSuccessStatusCode, $"{route}: {(int)response.StatusCode}");
        }
        await using var db = factory.Db();
        Assert.True(db.Datasets.Any(d => d.Id == a.DatasetId)); // nothing was deleted
    }

    [Fact]
    public async Task RevokedToken_Gets401_AtTheNextRequest()
    {
        var (userId, token) = await factory.CreateUserWithTokenAsync($"revoke-{Guid.NewGuid():N}@tests.local");
        using var client = factory.ApiAs(token);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/datasets")).StatusCode);
        var tokens = factory.Services.GetRequiredService<NasPlatform.Platform.Accounts.ApiTokenService>();
        var row = Assert.Single(await tokens.ListAsync(userId, CancellationToken.None));
        Assert.NotNull(row.LastUsedAt);
        Assert.True(await tokens.RevokeAsync(userId, row.Id, CancellationToken.None));
        await PlatformClient.AssertProblemAsync(await client.GetAsync("/api/v1/datasets"), 401, "revoked");
        Assert.False(await tokens.RevokeAsync(factory.OwnerId, row.Id, CancellationToken.None)); // not someone else's to revoke
    }

    [Fact]
    public async Task ExpiredToken_Gets401()
    {
        var tokens = factory.Services.GetRequiredService<NasPlatform.Platform.Accounts.ApiTokenService>();
        var created = await tokens.CreateAsync(factory.OwnerId, "short-lived", false, DateTimeOffset.UtcNow.AddSeconds(1), CancellationToken.None);
        await Task.Delay(1500);
        using var client = factory.ApiAs(created.Secret);
        await PlatformClient.AssertProblemAsync(await client.GetAsync("/api/v1/datasets"), 401, "expired");
    }

    [Fact]
    public async Task Administrator_SeesEveryonesResources()
    {
        var a = await factory.FinishedSearchAsync(factory.OwnerId);
        var (_, adminToken) = await factory.CreateUserWithTokenAsync($"admin-{Guid.NewGuid():N}@tests.local", admin: true);
        using var admin = factory.ApiAs(adminToken);
        foreach (var route in OwnedRoutes(a).Where(r => !r.Writes))
            Assert.True((await admin.SendAsync(route.Request())).IsSuccessStatusCode, route.ToString());
        Assert.Contains(a.DatasetId.ToString(), await admin.GetStringAsync("/api/v1/datasets"));
    }

    [Fact]
    public async Task Tokens_AreStoredOnlyAsHashes()
    {
        await using var db = factory.Db();
        var rows = db.ApiTokens.ToList();
        Assert.NotEmpty(rows);
        Assert.DoesNotContain(rows, t => t.Hash.Contains(factory.OwnerToken) || factory.OwnerToken.Contains(t.Hash));
        Assert.Contains(rows, t => t.Hash == NasPlatform.Platform.Accounts.ApiTokenService.HashOf(factory.OwnerToken));
    }
}

[Collection(PlatformCollection.Name)]
public sealed class AuthorizationMatrixTestsOnSqlite(PlatformFactory factory) : AuthorizationMatrixTests(factory);

[Collection(PostgresCollection.Name)]
public sealed class AuthorizationMatrixTestsOnPostgres(PostgresPlatformFactory factory) : AuthorizationMatrixTests(factory);
