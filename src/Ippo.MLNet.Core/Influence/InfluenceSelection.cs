namespace Ippo.MLNet.Core.Influence;

/// <summary>The filter rules as pure functions of the scores.</summary>
public static class InfluenceSelection
{
    /// <summary>
    /// Keeps rows with score &gt; <paramref name="threshold"/>; with <paramref name="reweight"/>, weights them by
    /// s_i / mean(s_kept), so the kept weights average 1. Nothing kept gives an empty decision.
    /// </summary>
    public static InfluenceDecision Threshold(IReadOnlyList<double> scores, double threshold, bool reweight)
    {
        var kept = Enumerable.Range(0, scores.Count).Where(i => scores[i] > threshold).ToArray();
        if (!reweight || kept.Length == 0) return new InfluenceDecision(kept, null);
        double mean = kept.Average(i => scores[i]);
        if (!(mean > 0)) throw new InvalidOperationException($"Reweighting needs a positive mean kept score; got {mean}. Use a threshold >= 0.");
        return new InfluenceDecision(kept, kept.Select(i => (float)(scores[i] / mean)).ToArray());
    }

    /// <summary>Keeps as many rows as <see cref="Threshold"/> would, drawn uniformly without replacement, unweighted.</summary>
    public static InfluenceDecision RandomDrop(IReadOnlyList<double> scores, double threshold, Random random)
    {
        int count = scores.Count(s => s > threshold);
        var kept = Enumerable.Range(0, scores.Count).OrderBy(_ => random.Next()).Take(count).Order().ToArray();
        return new InfluenceDecision(kept, null);
    }

    /// <summary>The decision of <paramref name="options"/>' rule (threshold and reweighting, random drop, or keep all).</summary>
    public static InfluenceDecision Apply(IReadOnlyList<double> scores, InfluenceFilterOptions options, Random random) => options.Rule switch
    {
        InfluenceRule.RandomDrop => RandomDrop(scores, options.Threshold, random),
        InfluenceRule.KeepAll => new InfluenceDecision(Enumerable.Range(0, scores.Count).ToArray(), null),
        _ => Threshold(scores, options.Threshold, options.Reweight),
    };
}
