namespace NasPlatform.Web.Security;

/// <summary>Headers that keep pages out of frames, stop MIME sniffing and limit where scripts and data may come from.</summary>
public static class SecurityHeaders
{
    // MudBlazor sets inline styles; Blazor's import map is an inline script; Plotly compiles functions at run time.
    private const string Csp = "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; " +
                               "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; " +
                               "base-uri 'self'; form-action 'self'; object-src 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        http.Response.OnStarting(() =>
        {
            var h = http.Response.Headers;
            h.XContentTypeOptions = "nosniff";
            h.XFrameOptions = "DENY";
            h["Referrer-Policy"] = "same-origin";
            h["Cross-Origin-Opener-Policy"] = "same-origin";
            h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
            // The interactive API reference loads its own scripts; it is documentation, not the product's UI.
            if (!http.Request.Path.StartsWithSegments("/api") || http.Request.Path.StartsWithSegments("/api/v1"))
                h.ContentSecurityPolicy = Csp;
            return Task.CompletedTask;
        });
        return next(http);
    });
}
