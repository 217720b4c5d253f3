// TEMPORARY stand-in until the datasets branch merges (replaced wholesale).
namespace NasPlatform.Engine.Datasets;
public sealed record ImageFolderOptions { public int Width { get; init; } = 32; public int Height { get; init; } = 32; public int Channels { get; init; } = 3; }
public static class DatasetLoader
{
    public static DatasetBundle Load(string path, string? format, ImageFolderOptions? options) => throw new DatasetFormatException("not yet");
}
