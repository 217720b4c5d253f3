using System.Text.Json;
using NasPlatform.Engine.Components;
using NasPlatform.Engine.Strategies;

namespace NasPlatform.Engine.Tests.Components;

public class ComponentOptionsTests
{
    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    [Fact]
    public void Read_NamedOptions_OverrideOnlyThoseDefaults()
    {
        var o = ComponentOptions.Read<StrategyOptions>(Json("""{"populationSize": 7, "learningRate": "0.01"}"""), "the strategy");
        Assert.Equal(7, o.PopulationSize);
        Assert.Equal(0.01, o.LearningRate);
        Assert.Equal(new StrategyOptions().SampleSize, o.SampleSize);
        Assert.Equal(new StrategyOptions(), ComponentOptions.Read<StrategyOptions>(null, "the strategy"));
    }

    [Fact]
    public void Read_UnknownName_IsRefusedByName()
    {
        var e = Assert.Throws<ArgumentException>(() => ComponentOptions.Read<StrategyOptions>(Json("""{"populaton": 3}"""), "the evolution strategy"));
        Assert.Equal("the evolution strategy has no option 'populaton'.", e.Message);
    }

    [Fact]
    public void Read_WrongTypeOrNotAnObject_IsRefused()
    {
        Assert.Contains("'populationSize'", Assert.Throws<ArgumentException>(() =>
            ComponentOptions.Read<StrategyOptions>(Json("""{"populationSize": "many"}"""), "x")).Message);
        Assert.Contains("JSON object", Assert.Throws<ArgumentException>(() => ComponentOptions.Read<StrategyOptions>(Json("[1]"), "x")).Message);
    }

    [Fact]
    public void FromPairs_KeepsNumbersAndStrings()
    {
        var json = ComponentOptions.FromPairs(["populationSize=5", "name=abc"])!.Value;
        Assert.Equal(5, json.GetProperty("populationSize").GetInt32());
        Assert.Equal("abc", json.GetProperty("name").GetString());
        Assert.Null(ComponentOptions.FromPairs([]));
        Assert.Throws<ArgumentException>(() => ComponentOptions.FromPairs(["novalue"]));
    }

    [Fact]
    public void Write_ThenRead_RoundTrips()
    {
        var o = new StrategyOptions { PopulationSize = 9, ClipEpsilon = 0.3 };
        Assert.Equal(o, ComponentOptions.Read<StrategyOptions>(Json(ComponentOptions.Write(o)), "x"));
    }
}
