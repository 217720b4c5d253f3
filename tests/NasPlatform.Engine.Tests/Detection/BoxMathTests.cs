using NasPlatform.Engine.Datasets.Detection;
using NasPlatform.Engine.Tasks.Detection;

namespace NasPlatform.Engine.Tests.Detection;

/// <summary>IoU, NMS, the anchor box code and the anchor layout against hand-computed cases.</summary>
public class BoxMathTests
{
    private static DetectionBox Box(float x1, float y1, float x2, float y2, int cls = 0) => new(cls, x1, y1, x2, y2);

    [Fact]
    public void IoU_MatchesHandComputedOverlaps()
    {
        Assert.Equal(1f, BoxMath.IoU(Box(0, 0, 10, 10), Box(0, 0, 10, 10)));
        // 5x10 shared of 100 + 100 - 50.
        Assert.Equal(50f / 150f, BoxMath.IoU(Box(0, 0, 10, 10), Box(5, 0, 15, 10)), 6);
        // A 2x2 box inside a 4x4 one: 4 / 16.
        Assert.Equal(0.25f, BoxMath.IoU(Box(0, 0, 4, 4), Box(1, 1, 3, 3)), 6);
        // Touching edges and disjoint boxes do not overlap.
        Assert.Equal(0f, BoxMath.IoU(Box(0, 0, 10, 10), Box(10, 0, 20, 10)));
        Assert.Equal(0f, BoxMath.IoU(Box(0, 0, 1, 1), Box(5, 5, 6, 6)));
    }

    [Fact]
    public void Nms_KeepsTheBest_SuppressesOverlapsAboveTheThreshold_AndKeepsTiesInOrder()
    {
        var boxes = new List<ScoredBox>
        {
            new(Box(0, 0, 10, 10), 0.8f),
            new(Box(1, 0, 11, 10), 0.9f),   // IoU with the first 90/110 = 0.82: suppresses it
            new(Box(5, 0, 15, 10), 0.7f),   // IoU with the second 60/140 = 0.43: kept at 0.5
            new(Box(30, 30, 40, 40), 0.7f), // a tie with the third: kept after it
        };
        Assert.Equal([1, 2, 3], BoxMath.Nms(boxes, 0.5f));
        Assert.Equal([1, 3], BoxMath.Nms(boxes, 0.4f));
        Assert.Empty(BoxMath.Nms([], 0.5f));
    }

    [Fact]
    public void TheBoxCode_DecodesWhatItEncodes_AndAnAnchorItselfIsAllZeros()
    {
        float[] anchors = [10, 20, 30, 30];
        var (dx, dy, dw, dh) = BoxMath.Encode(anchors, 0, Box(10, 20, 30, 30));
        Assert.Equal((0f, 0f, 0f, 0f), (dx, dy, dw, dh));
        var box = Box(12, 18, 40, 33, cls: 3);
        var code = BoxMath.Encode(anchors, 0, box);
        // Centre (26, 25.5) vs (20, 25): dx = 6/20, dy = 0.5/10; sizes 28/20, 15/10.
        Assert.Equal(0.3f, code.Dx, 5);
        Assert.Equal(0.05f, code.Dy, 5);
        Assert.Equal(MathF.Log(1.4f), code.Dw, 5);
        Assert.Equal(MathF.Log(1.5f), code.Dh, 5);
        var back = BoxMath.Decode(anchors, 0, code.Dx, code.Dy, code.Dw, code.Dh, 3, 100, 100);
        Assert.Equal(box.X1, back.X1, 4);
        Assert.Equal(box.Y2, back.Y2, 4);
        Assert.Equal(3, back.Class);
        // Decoding clips to the image.
        Assert.Equal(50f, BoxMath.Decode(anchors, 0, 5, 0, 0, 0, 0, 50, 50).X2);
    }

    [Fact]
    public void TheAnchorLayout_FollowsTheImageSize_AndListsAnchorsInTheHeadsOrder()
    {
        var small = AnchorLayout.For(64, 64);
        Assert.Equal((2, 5), (small.MinLevel, small.MaxLevel));
        Assert.Equal((16 * 16 + 8 * 8 + 4 * 4 + 2 * 2) * 9, small.Count);
        Assert.Equal((3, 7), (AnchorLayout.For(256, 320).MinLevel, AnchorLayout.For(256, 320).MaxLevel));
        Assert.Equal((2, 3), (AnchorLayout.For(24, 24).MinLevel, AnchorLayout.For(24, 24).MaxLevel));
        // An odd size rounds up, as strided convolutions do.
        Assert.Equal((7, 8), AnchorLayout.For(25, 29).LevelSize(2));
        Assert.Throws<ArgumentException>(() => AnchorLayout.For(12, 64));

        var boxes = small.Boxes();
        Assert.Equal(small.Count * 4, boxes.Length);
        // The first location of P2 is centred on (2, 2); its first anchor is ratio 0.5 (wide), scale 1: 16 / sqrt(0.5) by 16 * sqrt(0.5).
        float w = 16 / MathF.Sqrt(0.5f), h = 16 * MathF.Sqrt(0.5f);
        Assert.Equal(2 - w / 2, boxes[0], 4);
        Assert.Equal(2 - h / 2, boxes[1], 4);
        // The 10th anchor is the next location (x + 1), same shape.
        Assert.Equal(boxes[0] + 4, boxes[9 * 4], 4);
    }

    [Fact]
    public void Matching_MarksPositivesBackgroundAndIgnored_AndGivesEveryBoxItsBestAnchor()
    {
        float[] anchors = [0, 0, 10, 10, 20, 20, 30, 30, 0, 0, 14, 10, 40, 40, 50, 50, 0, 0, 10, 24];
        var rows = new float[5 * 5];
        // IoU with anchor 0: 1; anchor 2: 100/140 = 0.71 (positive too); anchor 4: 100/240 = 0.42 (ignored); 1 and 3: 0 (background).
        DetectionTask.Match(anchors, [Box(0, 0, 10, 10, cls: 2)], rows);
        Assert.Equal([2f, DetectionTask.Background, 2f, DetectionTask.Background, DetectionTask.Ignored], [rows[0], rows[5], rows[10], rows[15], rows[20]]);
        Assert.Equal([0f, 0f, 0f, 0f], rows[1..5]);
        Assert.Equal(MathF.Log(10f / 14), rows[13], 5);
        // A tiny box overlaps every anchor under 0.4, yet its best anchor is its own.
        Array.Clear(rows);
        DetectionTask.Match(anchors, [Box(41, 41, 43, 43, cls: 1)], rows);
        Assert.Equal([DetectionTask.Background, DetectionTask.Background, DetectionTask.Background, 1f, DetectionTask.Background],
            [rows[0], rows[5], rows[10], rows[15], rows[20]]);
    }
}
