namespace Ippo.MLNet.Core.Ppo;

/// <summary>Per-token estimators of KL(policy || reference) from log-probs of sampled tokens (Schulman's k1/k2/k3).</summary>
public enum KlEstimator
{
    /// <summary>k1 = log p - log ref: unbiased, can be negative per token.</summary>
    K1,

    /// <summary>k2 = 0.5 (log p - log ref)^2: biased, never negative.</summary>
    K2,

    /// <summary>k3 = exp(ref - p) - (ref - p) - 1: unbiased and never negative (verl's low_var_kl).</summary>
    K3,

    /// <summary>|log p - log ref|.</summary>
    Abs,
}
