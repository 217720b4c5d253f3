using Hangfire;
using Microsoft.AspNetCore.HttpOverrides;
using OpenTelemetry.Metrics;
using MudBlazor.Services;
using NasPlatform.Platform.Configuration;
using NasPlatform.Platform.Progress;
using NasPlatform.Web.Api;
using NasPlatform.Web.Components;
using NasPlatform.Web.Hubs;
using NasPlatform.Web.Security;
using NasPlatform.Platform.Accounts;
using Scalar.AspNetCore;

namespace NasPlatform.Web.Hosting;

public static class WebServices
{
    public static WebApplicationBuilder AddNasWeb(this WebApplicationBuilder builder)
    {
        builder.Configuration.AddTopLevelSettings();
        // Package assets (MudBlazor, Plotly) are served from the build output in every environment, not only Development.
        builder.WebHost.UseStaticWebAssets();
        builder.AddNasPlatformCore();
        var options = builder.Configuration.GetSection(PlatformOptions.Section).Get<PlatformOptions>() ?? new PlatformOptions();
        if (options.Worker.InProcess) builder.AddNasWorker(inProcess: true);

        builder.AddNasSecurity();

        var services = builder.Services;
        services.AddProblemDetails();
        services.AddExceptionHandler<BadRequestHandler>();
        // Binding failures throw in every environment, so BadRequestHandler can explain them.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddOpenApi(o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info.Title = "NasPlatform API";
            doc.Info.Description = "Upload datasets, launch latency-aware architecture searches, follow their trials and download models. " +
                                   "Errors are RFC 7807 problem details. Dataset rules: " + string.Format(NasPlatform.Platform.Datasets.DatasetFormats.Rules, options.MinImagesPerClass);
            // Lets the interactive reference (/api) send a token: every route but the probes needs one.
            doc.Components ??= new Microsoft.OpenApi.OpenApiComponents();
            doc.Components.SecuritySchemes ??= new Dictionary<string, Microsoft.OpenApi.IOpenApiSecurityScheme>();
            doc.Components.SecuritySchemes["bearer"] = new Microsoft.OpenApi.OpenApiSecurityScheme
            {
                Type = Microsoft.OpenApi.SecuritySchemeType.Http, Scheme = "bearer",
                Description = "A personal API token from /account/tokens: Authorization: Bearer nas_…",
            };
            doc.Security = [new Microsoft.OpenApi.OpenApiSecurityRequirement { [new Microsoft.OpenApi.OpenApiSecuritySchemeReference("bearer", doc)] = [] }];
            return Task.CompletedTask;
        }));
        services.AddSingleton<ProgressBus>();
        services.AddSingleton<IProgressSink>(sp => sp.GetRequiredService<ProgressBus>());
        services.AddSingleton<OwnerLookup>();
        services.AddHostedService<HubForwarder>();
        // Standalone workers' events arrive through PostgreSQL notifications (idle on SQLite).
        services.AddHostedService<PostgresProgressListener>();
        services.AddSignalR();
        // Webhooks: this host records the events it hears and sends what is owed (every web host does; the outbox keeps it once).
        services.AddSingleton<NasPlatform.Platform.Webhooks.WebhookService>();
        services.AddHttpClient(NasPlatform.Platform.Webhooks.WebhookDispatcher.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        services.AddHostedService<NasPlatform.Platform.Webhooks.WebhookEventSource>();
        services.AddHostedService<NasPlatform.Platform.Webhooks.WebhookDispatcher>();
        services.AddSingleton<Observability.PlatformMetrics>();
        services.AddOpenTelemetry().WithMetrics(m => m
            .AddMeter(Observability.PlatformMetrics.MeterName)
            .AddAspNetCoreInstrumentation()
            .AddPrometheusExporter());
        services.AddHealthChecks()
            .AddCheck<NasPlatform.Platform.Health.DatabaseHealthCheck>("database", tags: ["ready"])
            .AddCheck<NasPlatform.Platform.Health.BlobStoreHealthCheck>("storage", tags: ["ready"]);
        services.AddRazorComponents().AddInteractiveServerComponents();
        // Open pages (circuits) re-check their user every minute too, not only new requests. Registered after
        // the interactive components, which register their own provider.
        services.AddScoped<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider, RevalidatingIdentityStateProvider>();
        services.AddMudServices();
        return builder;
    }

    public static WebApplication UseNasWeb(this WebApplication app)
    {
        if (app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<PlatformOptions>>().Value.BehindProxy)
        {
            var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto };
            // The proxy's address is not known in advance (containers); BehindProxy says it is the only way in.
            forwarded.KnownIPNetworks.Clear();
            forwarded.KnownProxies.Clear();
            app.UseForwardedHeaders(forwarded);
            app.UseHsts();
        }
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseSecurityHeaders();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();

        // Everything needs a signed-in user (the fallback policy) except what is marked anonymous here:
        // probes and metrics for the orchestrator, the API description, static files and the account pages.
        app.MapHealthChecks("/healthz", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/readyz", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") })
            .AllowAnonymous();
        app.Services.GetRequiredService<Observability.PlatformMetrics>(); // its gauges exist from the start
        app.MapPrometheusScrapingEndpoint("/metrics").AllowAnonymous();
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference("/api", o => o.WithTitle("NasPlatform API")).AllowAnonymous();
        app.MapAccountEndpoints();
        app.MapDatasetsApi();
        app.MapSearchesApi();
        app.MapModelsApi();
        app.MapWorkersApi();
        app.MapWebhooksApi();
        app.MapDevicesApi();
        app.MapAgentApi();
        app.MapStudiesApi();
        // A connection closes when its authentication expires (token connections: minutes), so a revoked
        // token or a disabled account does not keep receiving progress.
        app.MapHub<ProgressHub>(ProgressHub.Route, o => o.CloseOnAuthenticationExpiration = true);
        app.MapHangfireDashboard("/hangfire", new DashboardOptions { Authorization = [new AdminDashboardFilter()] })
            .RequireAuthorization(PlatformClaims.AdminPolicy);
        app.MapStaticAssets().AllowAnonymous();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}
