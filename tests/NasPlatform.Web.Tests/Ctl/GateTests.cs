using NasPlatform.Ctl.Http;
using NasPlatform.Ctl.Searches;

namespace NasPlatform.Web.Tests.Ctl;

/// <summary>nasctl's quality gates judge a model by what its task ranks it by, and say so.</summary>
public class GateTests
{
    private static Model Segmenter(double miou) => new("m", "s", "t", "seg", "miou", miou, 0.5, 2.0, 1000, 1000, 0.3, "cpu", 10, null);

    [Fact]
    public void MinMetric_JudgesASegmentationModelByItsMIoU_AndNamesIt()
    {
        var passed = Assert.Single(Gates.Evaluate(null, null, Segmenter(0.30), minMetric: 0.25));
        Assert.True(passed.Passed);
        Assert.Equal("gate min-metric passed: test miou 30.0% >= 25.0%", passed.Describe().Replace(" %", "%"));
        var missed = Assert.Single(Gates.Evaluate(null, null, Segmenter(0.20), minMetric: 0.25));
        Assert.False(missed.Passed);
        Assert.Contains("test miou", missed.Describe());
        Assert.Contains("below the minimum", missed.Describe());
    }

    [Fact]
    public void MinAccuracy_OnAModelRankedByAnotherMetric_FailsSayingWhichGateToUse()
    {
        var gate = Assert.Single(Gates.Evaluate(0.5, null, Segmenter(0.9)));
        Assert.False(gate.Passed);
        Assert.Contains("the model is ranked by miou, not accuracy: use --min-metric", gate.Describe());
    }
}
