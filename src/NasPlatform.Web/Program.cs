using NasPlatform.Web.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddNasWeb();

var app = builder.Build();
app.UseNasWeb();
app.Run();
