using NasPlatform.Engine.Datasets.Detection;

namespace NasPlatform.Engine.Tasks.Detection;

/// <summary>A predicted box and its score.</summary>
public readonly record struct ScoredBox(DetectionBox Box, float Score);

/// <summary>Box arithmetic as COCO and RetinaNet define it: IoU of continuous boxes, greedy NMS, and the anchor-relative box code.</summary>
public static class BoxMath
{
    /// <summary>Largest log-scale change a decoded box may make (Detectron's clamp), so an untrained network cannot overflow.</summary>
    public static readonly float MaxLogScale = MathF.Log(1000f / 16);

    public static float IoU(DetectionBox a, DetectionBox b)
    {
        float w = Math.Min(a.X2, b.X2) - Math.Max(a.X1, b.X1), h = Math.Min(a.Y2, b.Y2) - Math.Max(a.Y1, b.Y1);
        if (w <= 0 || h <= 0) return 0;
        float inter = w * h, union = a.Area + b.Area - inter;
        return union <= 0 ? 0 : inter / union;
    }

    /// <summary>IoU of anchor <paramref name="i"/> of a flat x1,y1,x2,y2 array with a box.</summary>
    public static float IoU(float[] anchors, int i, DetectionBox b) =>
        IoU(new DetectionBox(0, anchors[4 * i], anchors[4 * i + 1], anchors[4 * i + 2], anchors[4 * i + 3]), b);

    /// <summary>
    /// Greedy non-maximum suppression: boxes by falling score (ties keep their order), each kept unless it overlaps a kept one by more
    /// than <paramref name="threshold"/>. Returns the kept boxes' indices, best first.
    /// </summary>
    public static List<int> Nms(IReadOnlyList<ScoredBox> boxes, float threshold)
    {
        var order = Enumerable.Range(0, boxes.Count).OrderByDescending(i => boxes[i].Score).ToList(); // OrderBy is stable
        var kept = new List<int>();
        foreach (var i in order)
        {
            bool suppressed = false;
            foreach (var k in kept)
                if (IoU(boxes[i].Box, boxes[k].Box) > threshold) { suppressed = true; break; }
            if (!suppressed) kept.Add(i);
        }
        return kept;
    }

    /// <summary>The box as offsets from an anchor (centre shift over anchor size, log size ratio), RetinaNet's regression target.</summary>
    public static (float Dx, float Dy, float Dw, float Dh) Encode(float[] anchors, int i, DetectionBox box)
    {
        float aw = anchors[4 * i + 2] - anchors[4 * i], ah = anchors[4 * i + 3] - anchors[4 * i + 1];
        float ax = anchors[4 * i] + aw / 2, ay = anchors[4 * i + 1] + ah / 2;
        float bx = box.X1 + box.Width / 2, by = box.Y1 + box.Height / 2;
        return ((bx - ax) / aw, (by - ay) / ah, MathF.Log(box.Width / aw), MathF.Log(box.Height / ah));
    }

    /// <summary>The inverse of <see cref="Encode"/>, clipped to the image.</summary>
    public static DetectionBox Decode(float[] anchors, int i, float dx, float dy, float dw, float dh, int cls, int width, int height)
    {
        float aw = anchors[4 * i + 2] - anchors[4 * i], ah = anchors[4 * i + 3] - anchors[4 * i + 1];
        float ax = anchors[4 * i] + aw / 2, ay = anchors[4 * i + 1] + ah / 2;
        float cx = ax + dx * aw, cy = ay + dy * ah;
        float w = aw * MathF.Exp(Math.Min(dw, MaxLogScale)), h = ah * MathF.Exp(Math.Min(dh, MaxLogScale));
        return new DetectionBox(cls, Math.Clamp(cx - w / 2, 0, width), Math.Clamp(cy - h / 2, 0, height),
            Math.Clamp(cx + w / 2, 0, width), Math.Clamp(cy + h / 2, 0, height));
    }
}
