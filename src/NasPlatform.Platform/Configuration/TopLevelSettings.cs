using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;

namespace NasPlatform.Platform.Configuration;

/// <summary>
/// The repository's top-level appsettings.json is copied next to each host's binaries at build time,
/// so a host finds it whatever folder it is started from.
/// </summary>
public static class TopLevelSettings
{
    public static string FilePath => Path.Combine(AppContext.BaseDirectory, "appsettings.json");

    /// <summary>
    /// Reads the shipped appsettings.json first, so an appsettings.json in the working folder,
    /// environment variables (NasPlatform__DataPath=...) and command-line arguments still override it.
    /// </summary>
    public static void AddTopLevelSettings(this IConfigurationBuilder configuration)
    {
        if (!File.Exists(FilePath)) return;
        var source = new JsonConfigurationSource { Path = FilePath, Optional = true, ReloadOnChange = false };
        source.ResolveFileProvider();
        configuration.Sources.Insert(0, source);
    }
}
