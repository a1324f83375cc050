namespace Ippo.MLNet.Gsm8k;

/// <summary>The RL method of a GSM8K run.</summary>
public enum Gsm8kMethod
{
    /// <summary>Plain PPO: every rollout trains the policy.</summary>
    Ppo,

    /// <summary>Influence-Guided PPO: rollouts whose gradient works against the gold validation traces are dropped.</summary>
    IPpo,
}
