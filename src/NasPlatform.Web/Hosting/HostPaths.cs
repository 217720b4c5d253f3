namespace NasPlatform.Web.Hosting;

/// <summary>
/// The top-level appsettings.json is copied next to the binaries at build time, so the host finds it
/// whatever folder it is started from. (The top-level wwwroot is the project's wwwroot through a
/// symbolic link, so the static web assets pipeline serves and publishes it.)
/// </summary>
public static class HostPaths
{
    public static string Settings => Path.Combine(AppContext.BaseDirectory, "appsettings.json");

    /// <summary>
    /// Reads the shipped appsettings.json first, so an appsettings.json in the working folder,
    /// environment variables (NasPlatform__DataPath=...) and command-line arguments still override it.
    /// </summary>
    public static void AddTopLevelSettings(this IConfigurationBuilder configuration)
    {
        if (!File.Exists(Settings)) return;
        var source = new Microsoft.Extensions.Configuration.Json.JsonConfigurationSource { Path = Settings, Optional = true, ReloadOnChange = false };
        source.ResolveFileProvider();
        configuration.Sources.Insert(0, source);
    }
}
