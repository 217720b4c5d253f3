using NasPlatform.Engine.Common;

namespace NasPlatform.Engine.Tests.Common;

public class SeededRandomTests
{
    [Fact]
    public void SameSeed_GivesSameSequence()
    {
        var a = new SeededRandom(42);
        var b = new SeededRandom(42);
        for (int i = 0; i < 100; i++) Assert.Equal(a.NextUInt64(), b.NextUInt64());
    }

    [Fact]
    public void RestoredState_ContinuesTheSequence()
    {
        var a = new SeededRandom(7);
        for (int i = 0; i < 10; i++) a.Next(100);
        var b = SeededRandom.FromState(a.GetState());
        for (int i = 0; i < 50; i++) Assert.Equal(a.NextDouble(), b.NextDouble());
    }

    [Fact]
    public void Next_StaysInRange_AndCoversIt()
    {
        var r = new SeededRandom(1);
        var seen = new bool[5];
        for (int i = 0; i < 1000; i++)
        {
            int v = r.Next(5);
            Assert.InRange(v, 0, 4);
            seen[v] = true;
        }
        Assert.All(seen, Assert.True);
    }
}
