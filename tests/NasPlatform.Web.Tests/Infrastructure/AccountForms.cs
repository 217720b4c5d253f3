using System.Text.RegularExpressions;

namespace NasPlatform.Web.Tests.Infrastructure;

/// <summary>Posting the account pages' forms over plain HTTP, the way a browser does: with the antiforgery token the page renders.</summary>
public static partial class AccountForms
{
    /// <summary>A client that behaves like a browser: keeps cookies, does not follow redirects.</summary>
    public static HttpClient Browserish(Uri baseAddress) =>
        new(new HttpClientHandler { CookieContainer = new System.Net.CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = baseAddress };

    public static string TokenIn(string html) => AntiforgeryField().Match(html).Groups[1].Value;

    /// <summary>Posts a form with the antiforgery token that <paramref name="page"/> renders.</summary>
    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string page, string action, Dictionary<string, string> fields)
    {
        var token = TokenIn(await client.GetStringAsync(page));
        Assert.False(string.IsNullOrEmpty(token), $"{page} renders an antiforgery token");
        fields["__RequestVerificationToken"] = token;
        return await client.PostAsync(action, new FormUrlEncodedContent(fields));
    }

    public static Task<HttpResponseMessage> LogInAsync(HttpClient client, string email, string password, string returnUrl = "/") =>
        PostAsync(client, "/login", "/account/login", new() { ["Email"] = email, ["Password"] = password, ["ReturnUrl"] = returnUrl });

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
