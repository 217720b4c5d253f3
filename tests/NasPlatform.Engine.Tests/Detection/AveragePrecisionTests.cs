using NasPlatform.Engine.Datasets.Detection;
using NasPlatform.Engine.Tasks.Detection;

namespace NasPlatform.Engine.Tests.Detection;

/// <summary>COCO-style AP against hand-computed cases (101 recall points, IoU 0.50:0.95).</summary>
public class AveragePrecisionTests
{
    private static DetectionBox Box(float x1, float y1, float x2, float y2, int cls = 0) => new(cls, x1, y1, x2, y2);

    private static ScoredBox Scored(DetectionBox b, float score) => new(b, score);

    private static readonly DetectionBox Truth = Box(0, 0, 10, 10);

    [Fact]
    public void APerfectDetection_ScoresOne_AndNoDetectionScoresZero()
    {
        var perfect = AveragePrecision.Evaluate([new EvaluatedImage([Truth], [Scored(Truth, 0.9f)])], 1);
        Assert.Equal((1.0, 1.0, 1.0), (perfect.MeanAp, perfect.Ap50, perfect.Ap75));
        var empty = AveragePrecision.Evaluate([new EvaluatedImage([Truth], [])], 1);
        Assert.Equal((0.0, 0.0, 0.0), (empty.MeanAp, empty.Ap50, empty.Ap75));
        Assert.Equal(0.0, empty.PerClass[0]);
    }

    [Fact]
    public void AFalsePositiveAboveTheHit_HalvesThePrecisionEverywhere()
    {
        // Sorted: miss (0.9), hit (0.8): precision 0, 1/2 made monotone to 1/2, 1/2; recall reaches 1 at the hit.
        var r = AveragePrecision.Evaluate([new EvaluatedImage([Truth], [Scored(Box(50, 50, 60, 60), 0.9f), Scored(Truth, 0.8f)])], 1);
        Assert.Equal(0.5, r.MeanAp, 9);
    }

    [Fact]
    public void HalfTheBoxesFound_ScoresTheRecallPointsUpToOneHalf()
    {
        var r = AveragePrecision.Evaluate([new EvaluatedImage([Truth, Box(20, 20, 30, 30)], [Scored(Truth, 0.9f)])], 1);
        Assert.Equal(51.0 / 101, r.MeanAp, 9);
    }

    [Fact]
    public void TheIoUThresholds_CountAHitOnlyWhereItOverlapsEnough()
    {
        // IoU 0.62: a hit at 0.50, 0.55 and 0.60, a miss from 0.65.
        var shifted = Box(0, 0, 10, 6.2f);
        Assert.Equal(0.62f, BoxMath.IoU(shifted, Truth), 5);
        var r = AveragePrecision.Evaluate([new EvaluatedImage([Truth], [Scored(shifted, 0.9f)])], 1);
        Assert.Equal((0.3, 1.0, 0.0), (Math.Round(r.MeanAp, 9), r.Ap50, r.Ap75));
    }

    [Fact]
    public void TiedScores_AreOrderedByImage_AsPycocotoolsDoes()
    {
        var miss = new EvaluatedImage([], [Scored(Truth, 0.5f)]);
        var hit = new EvaluatedImage([Truth], [Scored(Truth, 0.5f)]);
        // Miss first: precision 0 then 1/2 -> 1/2. Hit first: 1 at full recall.
        Assert.Equal(0.5, AveragePrecision.Evaluate([miss, hit], 1).MeanAp, 9);
        Assert.Equal(1.0, AveragePrecision.Evaluate([hit, miss], 1).MeanAp, 9);
    }

    [Fact]
    public void ASecondDetectionOfTheSameBox_IsAFalsePositive_AndEachBoxIsMatchedOnce()
    {
        var r = AveragePrecision.Evaluate([new EvaluatedImage([Truth], [Scored(Truth, 0.9f), Scored(Box(0, 0, 10, 9.5f), 0.8f)])], 1);
        // Hit then miss: precision 1, 1/2 -> recall 1 reached at precision 1.
        Assert.Equal(1.0, r.MeanAp, 9);
        // A near box (IoU 0.92) scored higher takes the match up to the 0.90 threshold, and the exact box is then the false positive
        // (AP 1 there); at 0.95 the near box misses and the exact one hits second (AP 1/2): (9 + 0.5) / 10.
        var reversed = AveragePrecision.Evaluate([new EvaluatedImage([Truth], [Scored(Box(0, 0, 10, 9.2f), 0.9f), Scored(Truth, 0.8f)])], 1);
        Assert.Equal(0.95, reversed.MeanAp, 6);
    }

    [Fact]
    public void CategoriesWithoutGroundTruth_AreLeftOutOfTheMean_ButTheirDetectionsCountAgainstNone()
    {
        var r = AveragePrecision.Evaluate([new EvaluatedImage([Truth], [Scored(Truth, 0.9f), Scored(Box(0, 0, 10, 10, cls: 1), 0.95f)])], 3);
        Assert.Equal(1.0, r.MeanAp, 9);
        Assert.Equal([1.0, null, null], r.PerClass);
        // A detection of the wrong class is a miss for the class it claims and finds nothing for the true one.
        var wrong = AveragePrecision.Evaluate([new EvaluatedImage([Truth], [Scored(Box(0, 0, 10, 10, cls: 1), 0.9f)])], 2);
        Assert.Equal(0.0, wrong.MeanAp);
        Assert.Equal(0.0, AveragePrecision.Evaluate([new EvaluatedImage([], [])], 2).MeanAp);
    }
}
