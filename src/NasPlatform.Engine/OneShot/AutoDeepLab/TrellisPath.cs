namespace NasPlatform.Engine.OneShot.AutoDeepLab;

/// <summary>
/// Auto-DeepLab's network level: an L-layer trellis over feature levels (level 0 = the stem's 1/4 resolution,
/// each level down halves it: 1/4, 1/8, 1/16, 1/32). At every layer the network moves one level down, stays or
/// moves one level up; beta[layer][level] holds the softmax weights of the three moves INTO that level at that
/// layer (index 0: from the finer level above, i.e. down-sampling; 1: from the same level; 2: from the coarser
/// level below, i.e. up-sampling). The path decoded is the one with the largest product of its moves'
/// weights (Viterbi), starting at level 0, as the paper decodes beta.
/// </summary>
public static class TrellisPath
{
    public const int FromFiner = 0, Same = 1, FromCoarser = 2;

    /// <summary>The level of each layer 1..L on the best path (the stem, layer 0, is at level 0), and the path's log weight.</summary>
    /// <param name="beta">[layer 0..L-1][level 0..S-1][move 0..2]: the weights of arriving at that level at layer+1.</param>
    public static (int[] Levels, double LogWeight) Decode(double[][][] beta)
    {
        int layers = beta.Length;
        if (layers == 0) return ([], 0);
        int levels = beta[0].Length;
        var score = new double[levels];
        Array.Fill(score, double.NegativeInfinity);
        score[0] = 0;
        var from = new int[layers, levels];
        for (int l = 0; l < layers; l++)
        {
            if (beta[l].Length != levels) throw new ArgumentException($"Layer {l} has {beta[l].Length} levels, not {levels}.");
            var next = new double[levels];
            for (int s = 0; s < levels; s++)
            {
                next[s] = double.NegativeInfinity;
                from[l, s] = -1;
                // A layer can reach level s only from s-1 (down-sampling), s, or s+1 (up-sampling), and at most l+1 levels down.
                for (int move = 0; move < 3; move++)
                {
                    int prev = s + (move == FromFiner ? -1 : move == FromCoarser ? 1 : 0);
                    if (prev < 0 || prev >= levels || double.IsNegativeInfinity(score[prev])) continue;
                    double w = beta[l][s][move];
                    if (w <= 0) continue;
                    double candidate = score[prev] + Math.Log(w);
                    if (candidate > next[s]) (next[s], from[l, s]) = (candidate, prev);
                }
            }
            score = next;
        }
        int best = 0;
        for (int s = 1; s < levels; s++) if (score[s] > score[best]) best = s;
        if (double.IsNegativeInfinity(score[best])) throw new ArgumentException("No path through the trellis has a positive weight.");
        var path = new int[layers];
        for (int l = layers - 1, s = best; l >= 0; l--)
        {
            path[l] = s;
            s = from[l, s];
        }
        return (path, score[best]);
    }
}
