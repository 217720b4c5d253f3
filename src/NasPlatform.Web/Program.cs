using NasPlatform.Web.Hosting;

// `users …` / `tokens …`: administration from the shell instead of serving.
if (AdminCommands.IsCommand(args)) return await AdminCommands.RunAsync(args, Console.Out, Console.Error, Console.In);

var builder = WebApplication.CreateBuilder(args);
builder.AddNasWeb();

var app = builder.Build();
app.UseNasWeb();
app.Run();
return 0;
