namespace Ippo.MLNet.Core.Influence;

/// <summary>Which episodes the influence filter keeps.</summary>
public enum InfluenceRule
{
    /// <summary>I-PPO: keep the episodes whose score is above the threshold.</summary>
    Influence,

    /// <summary>
    /// The control: keep as many episodes as <see cref="Influence"/> would, chosen uniformly at random, unweighted.
    /// Scores are still computed (for the count and the diagnostics), so cost and buffer size match I-PPO.
    /// </summary>
    RandomDrop,

    /// <summary>
    /// Keep every episode with weight 1 (plain PPO) while still scoring and reporting: for analysis runs. The early-stop
    /// rule does not apply, since nothing is ever dropped.
    /// </summary>
    KeepAll,
}
