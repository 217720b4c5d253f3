using NasPlatform.Platform.Configuration;
using NasPlatform.Platform.Progress;

// A worker process: executes trials (and control jobs) from the shared job storage. Point it at the
// same database and data folder as the web host; several can run at once, on any machine.
var builder = Host.CreateApplicationBuilder(args);
builder.Configuration.AddTopLevelSettings();
builder.AddNasPlatformCore();
// No hub in this process. On PostgreSQL each event, once stored, is announced to the web host
// (NOTIFY), which pushes it to browsers; on SQLite the web host runs the only worker in-process.
builder.Services.AddSingleton<IProgressSink>(sp =>
    sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<PlatformOptions>>().Value.UsesPostgres
        ? ActivatorUtilities.CreateInstance<PostgresProgressSink>(sp)
        : new NullProgressSink());
builder.AddNasWorker(inProcess: false);
builder.Build().Run();
