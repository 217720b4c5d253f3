using System.IO.Compression;

namespace NasPlatform.Engine.Datasets.Detection;

/// <summary>
/// A zipped detection dataset, COCO (one annotations .json and images/) or YOLO (images/, labels/ and classes.txt or data.yaml), at
/// the top of the archive or inside one wrapper folder; names checked as for every upload before anything is extracted.
/// </summary>
public static class DetectionArchive
{
    public static StructuredArchive Layout { get; } = new("a detection dataset",
        name => name.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || name is YoloReader.ClassesFile or YoloReader.DataYaml or "data.yml",
        [CocoReader.ImagesFolder, YoloReader.LabelsFolder],
        $"COCO's {CocoReader.AnnotationsFile} and {CocoReader.ImagesFolder}/NAME, or YOLO's {YoloReader.ImagesFolder}/NAME, {YoloReader.LabelsFolder}/NAME.txt and {YoloReader.ClassesFile} or {YoloReader.DataYaml}");

    /// <summary>Whether the names look like a detection set: images/ with a top-level .json (COCO), or images/ with labels/ (YOLO).</summary>
    public static bool Looks(ZipArchive archive)
    {
        var names = archive.Entries.Select(e => e.FullName.Replace('\\', '/')).ToList();
        bool Has(string part) => names.Any(n => n.StartsWith(part, StringComparison.Ordinal) || n.Contains("/" + part, StringComparison.Ordinal));
        if (!Has(CocoReader.ImagesFolder + "/")) return false;
        bool topJson = names.Any(n => n.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && n.Count(c => c == '/') <= 1
            && !n.StartsWith(CocoReader.ImagesFolder + "/", StringComparison.Ordinal) && Path.GetFileName(n) != "classes.json");
        return topJson || Has(YoloReader.LabelsFolder + "/");
    }
}
