using System.Text.Json;

namespace NasPlatform.Engine.Datasets.Detection;

/// <summary>
/// Reads a COCO-format detection set: a folder with one annotations JSON (<see cref="AnnotationsFile"/>, or the only .json
/// there) holding <c>images</c> (id, file_name, optional width and height), <c>annotations</c> (image_id, category_id,
/// bbox = [x, y, width, height] in pixels, optional iscrowd) and <c>categories</c> (id, name), and the image files under
/// images/ (or beside the JSON). Crowd regions are left out, as COCO's evaluation ignores them. Every problem is refused
/// with a message naming the image or annotation; nothing partial is returned.
/// </summary>
public static class CocoReader
{
    public const string AnnotationsFile = "annotations.json", ImagesFolder = "images";

    public static bool Looks(string folder) => AnnotationsPath(folder) is not null;

    private static string? AnnotationsPath(string folder)
    {
        if (!Directory.Exists(folder)) return null;
        var preferred = Path.Combine(folder, AnnotationsFile);
        if (File.Exists(preferred)) return preferred;
        var json = Directory.EnumerateFiles(folder, "*.json").Where(f => !f.EndsWith("classes.json", StringComparison.OrdinalIgnoreCase)).Take(2).ToList();
        return json.Count == 1 ? json[0] : null;
    }

    public static DetectionSet Read(string folder, DatasetLimits? limits = null, int maxSide = DetectionImages.MaxSide)
    {
        limits ??= DatasetLimits.Default;
        var path = AnnotationsPath(folder) ?? throw new DatasetFormatException($"A COCO detection set has an {AnnotationsFile} (images, annotations, categories).");
        string file = Path.GetFileName(path);
        using var doc = Parse(path, file);
        var root = doc.RootElement;
        var categories = Array(root, "categories", file);
        var categoryIndex = new SortedDictionary<long, string>();
        foreach (var c in categories.EnumerateArray())
        {
            long id = Int(c, "id", $"{file}: a category");
            string name = String(c, "name", $"{file}: category {id}");
            if (!categoryIndex.TryAdd(id, name)) throw new DatasetFormatException($"{file}: category id {id} is given twice.");
        }
        if (categoryIndex.Count == 0) throw new DatasetFormatException($"{file}: \"categories\" is empty; a detection set needs at least one category.");
        if (categoryIndex.Count > limits.MaxClasses) throw new DatasetFormatException($"{file}: {categoryIndex.Count} categories; at most {limits.MaxClasses} are accepted.");
        var classOf = categoryIndex.Keys.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i);
        var classes = categoryIndex.Values.ToList();
        if (classes.Distinct(StringComparer.Ordinal).Count() != classes.Count) throw new DatasetFormatException($"{file}: two categories share a name.");

        var images = new List<(long Id, string FileName, string FilePath, int? Width, int? Height)>();
        var imageIndex = new Dictionary<long, int>();
        foreach (var i in Array(root, "images", file).EnumerateArray())
        {
            long id = Int(i, "id", $"{file}: an image");
            string name = String(i, "file_name", $"{file}: image {id}");
            if (name.Contains("..") || Path.IsPathRooted(name)) throw new DatasetFormatException($"{file}: image {id}'s file_name '{name}' leaves the dataset's folder.");
            string? found = new[] { Path.Combine(folder, ImagesFolder, name), Path.Combine(folder, name) }.FirstOrDefault(File.Exists);
            if (found is null) throw new DatasetFormatException($"{file}: image {id} ({name}) is not in {ImagesFolder}/.");
            if (!imageIndex.TryAdd(id, images.Count)) throw new DatasetFormatException($"{file}: image id {id} is given twice.");
            images.Add((id, name, found, OptionalInt(i, "width"), OptionalInt(i, "height")));
        }
        if (images.Count == 0) throw new DatasetFormatException($"{file}: \"images\" is empty.");

        var decoded = DetectionImages.Read(images.Select(i => new DetectionImages.Source(i.FileName, i.FilePath)).ToList(), limits, maxSide);
        for (int n = 0; n < images.Count; n++)
            if ((images[n].Width ?? decoded.Original[n].Width) != decoded.Original[n].Width || (images[n].Height ?? decoded.Original[n].Height) != decoded.Original[n].Height)
                throw new DatasetFormatException($"{file}: image {images[n].Id} ({images[n].FileName}) is declared {images[n].Width}x{images[n].Height} but is {decoded.Original[n].Width}x{decoded.Original[n].Height}.");

        var boxes = images.Select(_ => new List<DetectionBox>()).ToList();
        int index = 0;
        foreach (var a in Array(root, "annotations", file).EnumerateArray())
        {
            string where = a.TryGetProperty("id", out var aid) ? $"{file}: annotation {aid}" : $"{file}: annotation #{index}";
            index++;
            long imageId = Int(a, "image_id", where), categoryId = Int(a, "category_id", where);
            if (!imageIndex.TryGetValue(imageId, out int n)) throw new DatasetFormatException($"{where} is for image {imageId}, which \"images\" does not list.");
            if (!classOf.TryGetValue(categoryId, out int cls)) throw new DatasetFormatException($"{where} has category {categoryId}, which \"categories\" does not list.");
            if (a.TryGetProperty("iscrowd", out var crowd) && crowd.ValueKind == JsonValueKind.Number && crowd.GetInt32() == 1) continue;
            if (!a.TryGetProperty("bbox", out var bbox) || bbox.ValueKind != JsonValueKind.Array || bbox.GetArrayLength() != 4
                || bbox.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.Number))
                throw new DatasetFormatException($"{where}: \"bbox\" must be [x, y, width, height] in pixels.");
            var v = bbox.EnumerateArray().Select(e => e.GetSingle()).ToArray();
            var original = decoded.Original[n];
            var box = DetectionImages.Check(new DetectionBox(cls, v[0], v[1], v[0] + v[2], v[1] + v[3]), original.Width, original.Height,
                $"{where} (image {images[n].FileName})");
            boxes[n].Add(DetectionImages.Scale(box, original, decoded.Width, decoded.Height));
        }
        return new DetectionSet(decoded.Pixels, boxes.Select(b => b.ToArray()).ToList(), images.Select(i => i.FileName).ToList(), classes,
            decoded.Channels, decoded.Height, decoded.Width);
    }

    private static JsonDocument Parse(string path, string file)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new DatasetFormatException($"{file} is not valid JSON: {e.Message}");
        }
    }

    private static JsonElement Array(JsonElement root, string name, string file) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.Array ? e
            : throw new DatasetFormatException($"{file} has no \"{name}\" list.");

    private static long Int(JsonElement e, string name, string where) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var x) ? x
            : throw new DatasetFormatException($"{where} has no integer \"{name}\".");

    private static int? OptionalInt(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var x) ? x : null;

    private static string String(JsonElement e, string name, string where) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s
            : throw new DatasetFormatException($"{where} has no \"{name}\".");
}
