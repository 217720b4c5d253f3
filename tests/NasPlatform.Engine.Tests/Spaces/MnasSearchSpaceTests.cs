using NasPlatform.Engine.Common;
using NasPlatform.Engine.Spaces.MnasNet;
using NasPlatform.Engine.Tests.TestData;
using NasPlatform.Engine.Strategies;

namespace NasPlatform.Engine.Tests.Spaces;

public class MnasSearchSpaceTests
{
    [Fact]
    public void Space_HasSevenBlocksOfSixDecisions_WithThePapersOptions()
    {
        var space = new MnasSearchSpace(1, 28, 28, 10);
        Assert.Equal(7, space.BlockCount);
        Assert.Equal(42, space.Decisions.Count);
        Assert.Equal([5, 2, 2, 3, 3, 3], space.Decisions.Decisions.Take(6).Select(d => d.Cardinality));
    }

    [Theory]
    [InlineData(28, 1, 2)]   // 28 -> 14 -> 7
    [InlineData(32, 1, 3)]   // 32 -> 16 -> 8 -> 4
    [InlineData(224, 2, 4)]  // stem 112 -> 56 -> 28 -> 14 -> 7, as in MnasNet
    public void StemStrideAndDownsampling_FollowTheInputResolution(int size, int stemStride, int stride2Blocks)
    {
        var space = new MnasSearchSpace(3, size, size, 10);
        var arch = space.ReferenceArchitecture();
        Assert.Equal(stemStride, arch.StemStride);
        Assert.Equal(stride2Blocks, arch.Blocks.Count(b => b.Stride == 2));
    }

    [Fact]
    public void EncodeDecode_RoundTrips()
    {
        var space = new MnasSearchSpace(3, 32, 32, 10);
        var random = new SeededRandom(3);
        for (int i = 0; i < 50; i++)
        {
            var arch = space.Sample(random);
            Assert.Equal(arch, space.Decode(space.Encode(arch)));
        }
    }

    [Fact]
    public void Json_RoundTripsToAnEqualArchitectureWithTheSameHash()
    {
        var space = new MnasSearchSpace(1, 28, 28, 10);
        var random = new SeededRandom(5);
        for (int i = 0; i < 50; i++)
        {
            var arch = space.Sample(random);
            var back = MnasArchitecture.FromJson(arch.ToJson(indented: i % 2 == 0));
            Assert.Equal(arch, back);
            Assert.Equal(arch.Hash, back.Hash);
            Assert.Equal(arch.ToJson(), back.ToJson());
        }
    }

    [Fact]
    public void Json_IsStableText()
    {
        var arch = new MnasSearchSpace(1, 28, 28, 10).ReferenceArchitecture();
        Assert.StartsWith("{\"space\":\"mnasnet\",\"inputChannels\":1,\"inputHeight\":28,\"inputWidth\":28,\"numClasses\":10,", arch.ToJson());
        Assert.Contains("{\"op\":\"mbconv6\",\"kernel\":3,\"seRatio\":0,\"skip\":\"identity\",\"widthMultiplier\":1,\"layerDelta\":0,", arch.ToJson());
        Assert.Matches("^[0-9a-f]{16}$", arch.Hash);
    }

    [Fact]
    public void Hash_DiffersWhenOneChoiceDiffers()
    {
        var space = new MnasSearchSpace(1, 28, 28, 10);
        var choices = space.Encode(space.ReferenceArchitecture());
        var seen = new HashSet<string> { space.Decode(choices).Hash };
        for (int i = 0; i < choices.Length; i++)
        {
            var changed = (int[])choices.Clone();
            changed[i] = (changed[i] + 1) % space.Decisions.Decisions[i].Cardinality;
            var arch = space.Decode(changed);
            Assert.True(seen.Add(arch.Hash), $"Changing {space.Decisions.Decisions[i].Name} did not change the hash");
        }
    }

    [Fact]
    public void FromJson_InvalidArchitecture_ThrowsFormatException()
    {
        var json = new MnasSearchSpace(1, 28, 28, 10).ReferenceArchitecture().ToJson().Replace("\"kernel\":3", "\"kernel\":4");
        var ex = Assert.Throws<FormatException>(() => MnasArchitecture.FromJson(json));
        Assert.Contains("kernel 4", ex.Message);
    }

    [Fact]
    public void Decode_InvalidChoices_Throws()
    {
        var space = new MnasSearchSpace(1, 28, 28, 10);
        Assert.Throws<ArgumentException>(() => space.Decode(new int[41]));
        var bad = new int[42];
        bad[0] = 5;
        Assert.Throws<ArgumentException>(() => space.Decode(bad));
    }

    [Theory]
    [InlineData(1, 28, "c041421b144b2c09")]
    [InlineData(3, 32, "5a2d737c18bf5fad")]
    [InlineData(3, 224, "7a22643d8b7c6858")]
    [InlineData(1, 27, "1e7512ff21cb7a03")]
    public void Decode_GivesTheArchitecturesStoredSearchesHold(int channels, int size, string hashOfSamples)
    {
        // Hashes taken before the space took profiles (mnasnet-small): stored searches must decode as they did.
        var space = new MnasSearchSpace(channels, size, size, 10);
        var random = new SeededRandom(42);
        var all = new System.Text.StringBuilder();
        for (int i = 0; i < 200; i++) all.Append(space.Sample(random).ToJson());
        all.Append(space.ReferenceArchitecture().ToJson());
        Assert.Equal(hashOfSamples, NasPlatform.Engine.Spaces.ArchitectureHash.Of(all.ToString()));
    }

    [Fact]
    public void DecisionSpaceKey_IsStable() => Assert.Equal("1-0-2", DecisionSpace.Key([1, 0, 2]));
}
