using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Ppo;

/// <summary>Turns sequence scores into per-token rewards with a KL penalty (TRL's PPO reward).</summary>
public static class RewardShaping
{
    /// <summary>
    /// scores [batch]; logProbs, refLogProbs, responseMask [batch, length] (right-padded, at least one token per row).
    /// Returns (TokenRewards, Kl), both [batch, length]: kl is the masked per-token estimate, and the reward is
    /// -beta * kl on every response token plus the score on each row's last response token.
    /// </summary>
    public static (Tensor TokenRewards, Tensor Kl) FoldKlIntoRewards(
        Tensor scores, Tensor logProbs, Tensor refLogProbs, Tensor responseMask, double beta, KlEstimator estimator)
    {
        TensorChecks.SameShape(logProbs, nameof(logProbs), responseMask, nameof(responseMask));
        if (scores.dim() != 1 || scores.shape[0] != logProbs.shape[0])
            throw new ArgumentException($"scores must have shape [{logProbs.shape[0]}]; it has [{string.Join(", ", scores.shape)}].", nameof(scores));
        if (!(beta >= 0)) throw new ArgumentOutOfRangeException(nameof(beta), beta, "The KL coefficient must be >= 0.");
        using var scope = NewDisposeScope();
        var mask = responseMask.to(logProbs.dtype);
        var lengths = mask.sum(dim: 1).to(ScalarType.Int64);
        if (lengths.min().item<long>() < 1) throw new ArgumentException("Every row needs at least one response token.", nameof(responseMask));
        var kl = KlEstimators.Compute(logProbs, refLogProbs, estimator) * mask;
        var last = (lengths - 1).unsqueeze(1);
        var rewards = (-beta * kl).scatter_add(1, last, scores.to(logProbs.dtype).unsqueeze(1));
        return (rewards.MoveToOuterDisposeScope(), kl.MoveToOuterDisposeScope());
    }
}
