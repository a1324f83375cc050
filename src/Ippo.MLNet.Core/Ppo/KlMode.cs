namespace Ippo.MLNet.Core.Ppo;

/// <summary>Where the KL to the reference policy enters PPO (<see cref="PpoOptions.KlMode"/>).</summary>
public enum KlMode
{
    /// <summary>Subtracted from the per-token rewards, beta x KL (PPO, TRL's PPOTrainer; estimator <see cref="PpoOptions.KlEstimator"/>).</summary>
    InReward,

    /// <summary>Added to the policy loss as beta x k3 with the loss's aggregation (GRPO, verl's use_kl_loss with low_var_kl).</summary>
    Loss,
}
