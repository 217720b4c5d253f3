using System.Globalization;

namespace NasPlatform.Engine.Datasets.Detection;

/// <summary>
/// Reads a YOLO-format detection set: images/NAME.(png|jpg|...), labels/NAME.txt with one "class cx cy width height" line per
/// object (centre and size as fractions of the image), and the class names in classes.txt (one per line) or data.yaml
/// (<c>names:</c> as a list or an index map). An image without a label file has no objects, as in YOLO; a label file without
/// its image, a class index out of range, a value outside [0, 1] or a malformed line is refused with the file and line.
/// </summary>
public static class YoloReader
{
    public const string ImagesFolder = "images", LabelsFolder = "labels", ClassesFile = "classes.txt", DataYaml = "data.yaml";

    public static bool Looks(string folder) =>
        Directory.Exists(Path.Combine(folder, ImagesFolder)) && Directory.Exists(Path.Combine(folder, LabelsFolder));

    public static DetectionSet Read(string folder, DatasetLimits? limits = null, int maxSide = DetectionImages.MaxSide)
    {
        limits ??= DatasetLimits.Default;
        if (!Looks(folder)) throw new DatasetFormatException($"A YOLO detection set has an {ImagesFolder}/ and a {LabelsFolder}/ folder (and {ClassesFile} or {DataYaml}).");
        var classes = ReadClasses(folder);
        var images = Directory.EnumerateFiles(Path.Combine(folder, ImagesFolder))
            .Where(f => DetectionImages.Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Order(StringComparer.Ordinal).ToList();
        var stems = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var f in images)
            if (!stems.TryAdd(Path.GetFileNameWithoutExtension(f), f))
                throw new DatasetFormatException($"{ImagesFolder}/ holds two images named {Path.GetFileNameWithoutExtension(f)}.");
        foreach (var label in Directory.EnumerateFiles(Path.Combine(folder, LabelsFolder), "*.txt"))
            if (!stems.ContainsKey(Path.GetFileNameWithoutExtension(label)))
                throw new DatasetFormatException($"{LabelsFolder}/{Path.GetFileName(label)} has no image of the same name in {ImagesFolder}/.");

        var decoded = DetectionImages.Read(images.Select(f => new DetectionImages.Source($"{ImagesFolder}/{Path.GetFileName(f)}", f)).ToList(), limits, maxSide);
        var boxes = new List<DetectionBox[]>();
        for (int n = 0; n < images.Count; n++)
        {
            string stem = Path.GetFileNameWithoutExtension(images[n]);
            string labelPath = Path.Combine(folder, LabelsFolder, stem + ".txt");
            boxes.Add(File.Exists(labelPath) ? ReadLabels(labelPath, $"{LabelsFolder}/{stem}.txt", classes.Count, decoded.Width, decoded.Height) : []);
        }
        return new DetectionSet(decoded.Pixels, boxes, images.Select(Path.GetFileName).ToList()!, classes, decoded.Channels, decoded.Height, decoded.Width);
    }

    /// <summary>Boxes of one label file, in pixels of the stored (resized) image: YOLO's fractions do not depend on the size.</summary>
    private static DetectionBox[] ReadLabels(string path, string name, int classes, int width, int height)
    {
        var boxes = new List<DetectionBox>();
        int lineNumber = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0) continue;
            string where = $"{name} line {lineNumber}";
            var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 5) throw new DatasetFormatException($"{where}: expected \"class cx cy width height\", found {parts.Length} values.");
            if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int cls) || cls >= classes)
                throw new DatasetFormatException($"{where}: class '{parts[0]}' is not an index 0-{classes - 1} of the {classes} class names.");
            var v = new float[4];
            for (int i = 0; i < 4; i++)
                if (!float.TryParse(parts[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out v[i]) || v[i] < 0 || v[i] > 1)
                    throw new DatasetFormatException($"{where}: '{parts[i + 1]}' is not a fraction in [0, 1] (YOLO labels give centre and size relative to the image).");
            var box = new DetectionBox(cls, (v[0] - v[2] / 2) * width, (v[1] - v[3] / 2) * height, (v[0] + v[2] / 2) * width, (v[1] + v[3] / 2) * height);
            boxes.Add(DetectionImages.Check(box, width, height, where));
        }
        return [.. boxes];
    }

    private static List<string> ReadClasses(string folder)
    {
        var txt = Path.Combine(folder, ClassesFile);
        var yaml = Path.Combine(folder, DataYaml);
        List<string> names;
        if (File.Exists(txt)) names = File.ReadAllLines(txt).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        else if (File.Exists(yaml)) names = YamlNames(File.ReadAllLines(yaml));
        else throw new DatasetFormatException($"{ClassesFile} (one class name per line) or {DataYaml} (names:) is missing: it names the classes the labels' indices stand for.");
        if (names.Count == 0) throw new DatasetFormatException($"No class names found in {(File.Exists(txt) ? ClassesFile : DataYaml)}.");
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Count) throw new DatasetFormatException("A class name is given twice.");
        return names;
    }

    /// <summary>The <c>names:</c> of an Ultralytics data.yaml: an inline list, a block list, or an index map.</summary>
    private static List<string> YamlNames(string[] lines)
    {
        static string Clean(string s) => s.Trim().Trim('\'', '"');
        int at = Array.FindIndex(lines, l => l.TrimStart().StartsWith("names:", StringComparison.Ordinal) && !char.IsWhiteSpace(l[0]));
        if (at < 0) throw new DatasetFormatException($"{DataYaml} has no names: entry.");
        string rest = lines[at][(lines[at].IndexOf(':') + 1)..].Trim();
        if (rest.StartsWith('['))
            return rest.Trim('[', ']').Split(',').Select(Clean).Where(s => s.Length > 0).ToList();
        var names = new SortedDictionary<int, string>();
        var list = new List<string>();
        for (int i = at + 1; i < lines.Length && (lines[i].Length == 0 || char.IsWhiteSpace(lines[i][0])); i++)
        {
            var item = lines[i].Trim();
            if (item.StartsWith("- ", StringComparison.Ordinal)) list.Add(Clean(item[2..]));
            else if (item.IndexOf(':') is > 0 and var colon && int.TryParse(item[..colon], CultureInfo.InvariantCulture, out int index))
                names[index] = Clean(item[(colon + 1)..]);
        }
        if (names.Count > 0 && names.Keys.SequenceEqual(Enumerable.Range(0, names.Count))) return [.. names.Values];
        if (names.Count > 0) throw new DatasetFormatException($"{DataYaml}: names: must number the classes 0, 1, 2, ... without gaps.");
        return list;
    }
}
