using NasPlatform.Engine.Tasks.Segmentation;

namespace NasPlatform.Engine.Tests.Segmentation;

public class ConfusionIoUTests
{
    [Fact]
    public void IoU_PerClassAndMean_MatchHandComputedValues_WithAnAbsentClassLeftOut_AndIgnoredPixels()
    {
        // 4 classes; class 3 appears nowhere (neither target nor prediction); 255 pixels are not scored.
        long[] target = [0, 0, 0, 1, 1, 2, 2, 2, 255, 255];
        long[] predicted = [0, 0, 1, 1, 1, 2, 0, 2, 3, 0];
        var iou = new ConfusionIoU(4);
        iou.Add(target, predicted);
        var r = iou.Result();
        // class 0: TP 2, FN 1 (0->1), FP 1 (2->0): 2/4. class 1: TP 2, FN 0, FP 1: 2/3. class 2: TP 2, FN 1, FP 0: 2/3.
        Assert.Equal(0.5, r.PerClass[0]!.Value, 12);
        Assert.Equal(2.0 / 3, r.PerClass[1]!.Value, 12);
        Assert.Equal(2.0 / 3, r.PerClass[2]!.Value, 12);
        Assert.Null(r.PerClass[3]);
        Assert.Equal((0.5 + 2.0 / 3 + 2.0 / 3) / 3, r.MeanIoU, 12);
        Assert.Equal(6.0 / 8, r.PixelAccuracy, 12);
        Assert.Equal(8, r.Pixels);
    }

    [Fact]
    public void AClassOnlyPredicted_CountsWithIoUZero_AndBatchesAddUp()
    {
        var whole = new ConfusionIoU(3);
        whole.Add([0, 0, 1, 1], [0, 2, 1, 1]);
        var parts = new ConfusionIoU(3);
        parts.Add([0, 0], [0, 2]);
        parts.Add([1, 1], [1, 1]);
        Assert.Equal(whole.Result().PerClass, parts.Result().PerClass);
        var r = whole.Result();
        Assert.Equal(0.0, r.PerClass[2]!.Value); // predicted but never true: a false positive class
        Assert.Equal((0.5 + 1.0 + 0.0) / 3, r.MeanIoU, 12);
    }

    [Fact]
    public void BadInput_IsRefusedWithTheReason()
    {
        var iou = new ConfusionIoU(2);
        Assert.Contains("outside", Assert.Throws<ArgumentException>(() => iou.Add([0, 5], [0, 1])).Message);
        Assert.Contains("predicted", Assert.Throws<ArgumentException>(() => iou.Add([0], [0, 1])).Message);
        Assert.Equal(0, new ConfusionIoU(2).Result().MeanIoU);
    }
}
