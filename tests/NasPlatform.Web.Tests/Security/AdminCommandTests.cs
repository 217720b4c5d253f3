using System.Diagnostics;
using System.Net;
using NasPlatform.Web.Tests.Infrastructure;

namespace NasPlatform.Web.Tests.Security;

/// <summary>The web host's admin commands, run as a separate process on the test server's database.</summary>
[Collection(PlatformCollection.Name)]
public sealed class AdminCommandTests(PlatformFactory factory)
{
    private sealed record Run(int Exit, string Out, string Err);

    private async Task<Run> WebHostAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "NasPlatform.Web.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["NasPlatform__DataPath"] = factory.DataPath;
        start.Environment["NasPlatform__Database"] = "sqlite";
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteLineAsync("a password from stdin");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return new Run(process.ExitCode, await output, await errors);
    }

    [Fact]
    public async Task UsersCreate_ThenTokensCreate_PrintsOnlyAWorkingToken()
    {
        string email = $"cli-{Guid.NewGuid():N}@tests.local";
        var created = await WebHostAsync("users", "create", "--email", email, "--password-stdin");
        Assert.True(created.Exit == 0, created.Err);
        Assert.Equal("", created.Out);

        var token = await WebHostAsync("tokens", "create", "--email", email, "--name", "pipeline", "--read-only");
        Assert.True(token.Exit == 0, token.Err);
        var lines = token.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string secret = Assert.Single(lines).Trim();
        Assert.StartsWith("nas_", secret);

        using var api = factory.ApiAs(secret);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/datasets")).StatusCode);
        await PlatformClient.AssertProblemAsync(await api.DeleteAsync($"/api/v1/datasets/{Guid.NewGuid()}"), 403, "read-only");

        var list = await WebHostAsync("tokens", "list", "--email", email);
        Assert.Contains("pipeline", list.Out);
        Assert.DoesNotContain(secret, list.Out);
    }

    [Fact]
    public async Task BadCommands_FailWithAMessage_AndNothingOnStdout()
    {
        var duplicate = await WebHostAsync("users", "create", "--email", PlatformFactory.OwnerEmail, "--password", "long enough password");
        Assert.Equal(1, duplicate.Exit);
        Assert.Contains("already exists", duplicate.Err);
        var unknownUser = await WebHostAsync("tokens", "create", "--email", "nobody@tests.local", "--name", "x");
        Assert.Equal(1, unknownUser.Exit);
        Assert.Equal("", unknownUser.Out);
        var usage = await WebHostAsync("tokens", "create", "--email");
        Assert.Equal(2, usage.Exit);
        Assert.Contains("Usage", usage.Err);
    }
}
