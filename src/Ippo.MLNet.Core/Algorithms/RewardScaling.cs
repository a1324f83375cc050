namespace Ippo.MLNet.Core.Algorithms;

/// <summary>What GRPO divides the group-centred rewards by (TRL's scale_rewards).</summary>
public enum RewardScaling
{
    /// <summary>Each group's own standard deviation (TRL "group", the GRPO paper).</summary>
    Group,

    /// <summary>The standard deviation of every score in the batch (TRL "batch").</summary>
    Batch,

    /// <summary>No scaling: the advantage is the score minus its group mean (TRL "none", Dr. GRPO).</summary>
    None,
}
