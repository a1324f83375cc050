namespace Ippo.MLNet.Reproduction;

/// <summary>The methods the reproduction compares, all started from the same SFT warm start of a seed.</summary>
public enum ExperimentMethod
{
    /// <summary>The SFT warm start itself, no RL.</summary>
    Sft,

    /// <summary>Plain PPO: every episode of every buffer, weight 1.</summary>
    Ppo,

    /// <summary>I-PPO: drop episodes whose influence score is at or below 0, reweight the rest by score / mean score.</summary>
    IPpo,

    /// <summary>The paper's ablation: I-PPO's filter without the reweighting (kept episodes weigh 1).</summary>
    IPpoNoReweight,

    /// <summary>The control: keep as many episodes as I-PPO would, chosen at random, unweighted.</summary>
    PpoRandomDrop,

    /// <summary>GRPO: no critic, group-standardised outcome advantages over <see cref="ExperimentOptions.GroupSize"/> samples per prompt.</summary>
    Grpo,

    /// <summary>I-GRPO: GRPO whose buffer goes through I-PPO's influence filter (each episode scored with its GRPO loss).</summary>
    IGrpo,
}
