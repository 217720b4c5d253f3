using System.Text;
using NasPlatform.Engine.Datasets;

namespace NasPlatform.Platform.Datasets;

/// <summary>
/// Decoded images in one flat file (header, class names, then labels and uint8 NCHW pixels of the
/// training and test parts, for segmentation their N x H x W masks, for detection each image's boxes), so workers load a dataset with
/// sequential reads instead of decoding images again for every trial. Version 1 (no masks) and 2 (no boxes) files still read.
/// </summary>
public static class DecodedDatasetFile
{
    private const uint Magic = 0x4453414E; // "NASD"
    private const int Version = 3;

    public static void Write(Stream output, DatasetBundle data)
    {
        using var w = new BinaryWriter(output, Encoding.UTF8, leaveOpen: true);
        var train = data.Train;
        w.Write(Magic);
        w.Write(Version);
        w.Write(data.Format);
        w.Write(train.Channels);
        w.Write(train.Height);
        w.Write(train.Width);
        w.Write(train.NumClasses);
        foreach (var name in train.ClassNames) w.Write(name);
        WritePart(w, train);
        WritePart(w, data.Test);
    }

    public static DatasetBundle Read(Stream input)
    {
        using var r = new BinaryReader(input, Encoding.UTF8, leaveOpen: true);
        int version = r.ReadUInt32() == Magic ? r.ReadInt32() : -1;
        if (version is not (1 or 2 or Version)) throw new InvalidDataException("Not a decoded dataset file of a known version.");
        var format = r.ReadString();
        int c = r.ReadInt32(), h = r.ReadInt32(), wd = r.ReadInt32(), k = r.ReadInt32();
        var names = new string[k];
        for (int i = 0; i < k; i++) names[i] = r.ReadString();
        var train = ReadPart(r, names, c, h, wd, version);
        var test = ReadPart(r, names, c, h, wd, version);
        return new DatasetBundle(train, test, format);
    }

    private static void WritePart(BinaryWriter w, ImageDataset part)
    {
        w.Write(part.Count);
        foreach (var label in part.Labels) w.Write(label);
        w.Write(part.Pixels);
        w.Write(part.Masks is not null);
        if (part.Masks is { } masks) w.Write(masks);
        w.Write(part.Boxes is not null);
        if (part.Boxes is { } boxes)
            foreach (var image in boxes)
            {
                w.Write(image.Length);
                foreach (var b in image)
                {
                    w.Write(b.Class);
                    w.Write(b.X1);
                    w.Write(b.Y1);
                    w.Write(b.X2);
                    w.Write(b.Y2);
                }
            }
    }

    private static ImageDataset ReadPart(BinaryReader r, string[] names, int c, int h, int w, int version)
    {
        int count = r.ReadInt32();
        var labels = new int[count];
        for (int i = 0; i < count; i++) labels[i] = r.ReadInt32();
        var pixels = new byte[(long)count * c * h * w];
        r.BaseStream.ReadExactly(pixels);
        byte[]? masks = null;
        if (version >= 2 && r.ReadBoolean())
        {
            masks = new byte[(long)count * h * w];
            r.BaseStream.ReadExactly(masks);
        }
        Engine.Datasets.Detection.DetectionBox[][]? boxes = null;
        if (version >= 3 && r.ReadBoolean())
        {
            boxes = new Engine.Datasets.Detection.DetectionBox[count][];
            for (int n = 0; n < count; n++)
            {
                boxes[n] = new Engine.Datasets.Detection.DetectionBox[r.ReadInt32()];
                for (int j = 0; j < boxes[n].Length; j++)
                    boxes[n][j] = new(r.ReadInt32(), r.ReadSingle(), r.ReadSingle(), r.ReadSingle(), r.ReadSingle());
            }
        }
        return new ImageDataset(pixels, labels, names, c, h, w, masks, boxes);
    }
}
