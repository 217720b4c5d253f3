using NasPlatform.Engine.OneShot.AutoDeepLab;

namespace NasPlatform.Engine.Tests.Segmentation;

public class TrellisPathTests
{
    /// <summary>Every path from level 0 that moves at most one level per layer, with its product of move weights.</summary>
    private static IEnumerable<(int[] Path, double Weight)> AllPaths(double[][][] beta)
    {
        int layers = beta.Length, levels = beta[0].Length;
        IEnumerable<(int[], double)> Extend(int layer, int level, List<int> path, double weight)
        {
            if (layer == layers)
            {
                yield return (path.ToArray(), weight);
                yield break;
            }
            for (int next = level - 1; next <= level + 1; next++)
            {
                if (next < 0 || next >= levels) continue;
                int move = next == level + 1 ? TrellisPath.FromFiner : next == level ? TrellisPath.Same : TrellisPath.FromCoarser;
                path.Add(next);
                foreach (var p in Extend(layer + 1, next, path, weight * beta[layer][next][move])) yield return p;
                path.RemoveAt(path.Count - 1);
            }
        }
        return Extend(0, 0, [], 1.0);
    }

    private static double[][][] RandomBeta(Random random, int layers, int levels) =>
        Enumerable.Range(0, layers).Select(_ => Enumerable.Range(0, levels).Select(_ =>
        {
            var w = new[] { random.NextDouble(), random.NextDouble(), random.NextDouble() };
            double sum = w.Sum();
            return w.Select(x => x / sum).ToArray();
        }).ToArray()).ToArray();

    [Theory]
    [InlineData(1, 3, 1)]
    [InlineData(4, 3, 2)]
    [InlineData(6, 4, 3)]
    [InlineData(8, 4, 4)]
    public void Viterbi_FindsTheSamePathAsBruteForce(int layers, int levels, int seed)
    {
        var random = new Random(seed);
        for (int trial = 0; trial < 20; trial++)
        {
            var beta = RandomBeta(random, layers, levels);
            var best = AllPaths(beta).MaxBy(p => p.Weight);
            var (path, logWeight) = TrellisPath.Decode(beta);
            Assert.Equal(best.Path, path);
            Assert.Equal(Math.Log(best.Weight), logWeight, 9);
        }
    }

    [Fact]
    public void APlantedPath_IsDecoded()
    {
        // Down, down, stay, up over 3 levels: weight 0.9 on the planted moves, 0.05 elsewhere.
        int[] planted = [1, 2, 2, 1];
        var beta = Enumerable.Range(0, 4).Select(_ => Enumerable.Range(0, 3).Select(_ => new[] { 0.05, 0.05, 0.05 }).ToArray()).ToArray();
        int previous = 0;
        for (int l = 0; l < planted.Length; l++)
        {
            int move = planted[l] == previous + 1 ? TrellisPath.FromFiner : planted[l] == previous ? TrellisPath.Same : TrellisPath.FromCoarser;
            beta[l][planted[l]][move] = 0.9;
            previous = planted[l];
        }
        Assert.Equal(planted, TrellisPath.Decode(beta).Levels);
    }
}
