using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using NasPlatform.Data.Entities;
using NasPlatform.Platform.Accounts;
using NasPlatform.Platform.Configuration;
using NasPlatform.Platform.Datasets;

namespace NasPlatform.Web.Security;

// Classes with optional properties: a missing field is an empty value to explain, not a binding failure.
public sealed class LoginForm
{
    public string? Email { get; set; }
    public string? Password { get; set; }
    public string? ReturnUrl { get; set; }
}

public sealed class NewAccountForm
{
    public string? Email { get; set; }
    public string? Password { get; set; }
    public string? ConfirmPassword { get; set; }
}

/// <summary>
/// The form posts of the account pages (log-in, log-out, first-run setup, registration). They are
/// plain HTTP posts with antiforgery tokens because a cookie can only be set on an HTTP response.
/// </summary>
public static class AccountEndpoints
{
    public static void MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        var account = app.MapGroup("/account").ExcludeFromDescription();
        account.MapPost("/login", LogIn).AllowAnonymous().WithFormAntiforgery("/login");
        account.MapPost("/logout", LogOut);
        account.MapPost("/setup", SetUp).AllowAnonymous().WithFormAntiforgery("/setup");
        account.MapPost("/register", Register).AllowAnonymous().WithFormAntiforgery("/register");
    }

    /// <summary>
    /// Checks the form's antiforgery token here instead of in form binding (which answers a bare 400):
    /// a page rendered while a session was still valid carries a token bound to that user, and if the
    /// session ended meanwhile (expired, signed out elsewhere, account changed) the post no longer
    /// matches. The visitor then gets the page again, signed out, with an explanation.
    /// </summary>
    private static RouteHandlerBuilder WithFormAntiforgery(this RouteHandlerBuilder endpoint, string page) => endpoint
        .DisableAntiforgery()
        .AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (await http.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(http)) return await next(context);
            await http.SignOutAsync(IdentityConstants.ApplicationScheme);
            const string expired = "The page had expired; please try again.";
            return Results.Redirect(page == "/login" ? "/login?error=expired"
                : $"{page}?error={Uri.EscapeDataString(ErrorProtector(http.RequestServices.GetRequiredService<IDataProtectionProvider>()).Protect(expired))}");
        });

    private static async Task<IResult> LogIn([FromForm] LoginForm form, SignInManager<PlatformUser> signIn)
    {
        string back = SafeReturnUrl(form.ReturnUrl);
        if (string.IsNullOrWhiteSpace(form.Email) || string.IsNullOrEmpty(form.Password))
            return Results.Redirect(LoginUrl("missing", back));
        var result = await signIn.PasswordSignInAsync(form.Email.Trim(), form.Password, isPersistent: true, lockoutOnFailure: true);
        if (result.Succeeded) return Results.LocalRedirect(back);
        return Results.Redirect(LoginUrl(result.IsLockedOut ? "locked" : "invalid", back));
    }

    private static async Task<IResult> LogOut(HttpContext http, SignInManager<PlatformUser> signIn, IAntiforgery antiforgery)
    {
        // Nothing is bound from this form, so the framework checks no token: check it here, or another page could sign users out.
        if (!await antiforgery.IsRequestValidAsync(http)) return Results.BadRequest();
        await signIn.SignOutAsync();
        return Results.Redirect("/login?signedOut=1");
    }

    private static Task<IResult> SetUp([FromForm] NewAccountForm form, AccountService accounts, SignInManager<PlatformUser> signIn,
        IDataProtectionProvider protection, CancellationToken ct) =>
        CreateAndSignIn("/setup", form, signIn, protection, () => accounts.CreateFirstAdministratorAsync(form.Email, form.Password, ct));

    private static Task<IResult> Register([FromForm] NewAccountForm form, AccountService accounts, SignInManager<PlatformUser> signIn,
        IOptions<PlatformOptions> options, IDataProtectionProvider protection, CancellationToken ct)
    {
        if (!options.Value.Accounts.OpenRegistration)
            return Task.FromResult(Results.Redirect("/register"));
        return CreateAndSignIn("/register", form, signIn, protection, () => accounts.CreateUserAsync(form.Email, form.Password, isAdmin: false, ct));
    }

    private static async Task<IResult> CreateAndSignIn(string page, NewAccountForm form, SignInManager<PlatformUser> signIn,
        IDataProtectionProvider protection, Func<Task<PlatformUser>> create)
    {
        string Back(string message) =>
            $"{page}?error={Uri.EscapeDataString(ErrorProtector(protection).Protect(message))}&email={Uri.EscapeDataString(form.Email ?? "")}";
        if (form.Password != form.ConfirmPassword) return Results.Redirect(Back("The passwords differ."));
        try
        {
            var user = await create();
            await signIn.SignInAsync(user, isPersistent: true);
            return Results.Redirect("/");
        }
        catch (PlatformException e)
        {
            return Results.Redirect(Back(e.Message));
        }
    }

    /// <summary>
    /// Error messages travel to the form page in its address, sealed: the page shows only what this
    /// server wrote, so a link cannot make the setup page display an attacker's text.
    /// </summary>
    public static IDataProtector ErrorProtector(IDataProtectionProvider protection) => protection.CreateProtector("NasPlatform.AccountFormError");

    /// <summary>The message a form page should show for its error parameter; null when absent or not ours.</summary>
    public static string? ReadError(IDataProtectionProvider protection, string? sealedMessage)
    {
        if (string.IsNullOrEmpty(sealedMessage)) return null;
        try
        {
            return ErrorProtector(protection).Unprotect(sealedMessage);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }

    private static string LoginUrl(string error, string returnUrl) => $"/login?error={error}&returnUrl={Uri.EscapeDataString(returnUrl)}";

    /// <summary>Only paths on this site: an open redirect would let a link send a freshly signed-in user anywhere.</summary>
    public static string SafeReturnUrl(string? url) =>
        !string.IsNullOrEmpty(url) && url.StartsWith('/') && !url.StartsWith("//") && !url.StartsWith("/\\") ? url : "/";
}
