using NasPlatform.Platform.Configuration;
using NasPlatform.Platform.Progress;

// A worker process: executes trials (and control jobs) from the shared job storage. Point it at the
// same database and data folder as the web host; several can run at once, on any machine.
var builder = Host.CreateApplicationBuilder(args);
builder.Configuration.AddTopLevelSettings();
builder.AddNasPlatformCore();
// No hub in this process: progress lives in the database, which the web host's pages read.
builder.Services.AddSingleton<IProgressSink, NullProgressSink>();
builder.AddNasWorker(inProcess: false);
builder.Build().Run();
