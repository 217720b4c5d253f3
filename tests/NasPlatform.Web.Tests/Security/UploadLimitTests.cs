using NasPlatform.Web.Tests.Infrastructure;

namespace NasPlatform.Web.Tests.Security;

/// <summary>Each user's storage quota caps their uploads, besides the per-upload limit.</summary>
[Collection(PlatformCollection.Name)]
public sealed class UploadLimitTests(PlatformFactory factory)
{
    [Fact]
    public async Task UploadOverTheUsersQuota_Is413_AndStoresNothing_WhileOthersUploadAsBefore()
    {
        var (userId, token) = await factory.CreateUserWithTokenAsync($"quota-{Guid.NewGuid():N}@tests.local");
        await using (var db = factory.Db())
        {
            var user = db.Users.Single(u => u.Id == userId);
            user.StorageQuotaBytes = 2000;
            await db.SaveChangesAsync();
        }
        var client = new PlatformClient(factory, token);
        var zip = TestZips.TinyIdx();
        Assert.True(zip.Length > 2000);
        var refused = await client.UploadAsync(zip, "too big for the quota");
        await PlatformClient.AssertProblemAsync(refused, 413, "storage quota");
        await client.AssertNoOrphansAsync();

        // The owner's default quota (50 GiB) is untouched by another user's.
        var owner = new PlatformClient(factory);
        Assert.Equal(System.Net.HttpStatusCode.Created, (await owner.UploadAsync(zip, "within quota")).StatusCode);
    }
}
