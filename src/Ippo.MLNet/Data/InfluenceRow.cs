namespace Ippo.MLNet;

/// <summary>The columns the influence filter adds (names set by its options).</summary>
public sealed class InfluenceRow
{
    /// <summary>The episode's influence score g_i . g_val (or the cosine).</summary>
    public double InfluenceScore { get; set; }

    /// <summary>The episode's loss weight: s_i / mean(s_kept) when reweighting, 1 when kept without it, 0 when dropped.</summary>
    public float InfluenceWeight { get; set; }

    /// <summary>Whether the rule keeps the episode.</summary>
    public bool InfluenceKept { get; set; }
}
