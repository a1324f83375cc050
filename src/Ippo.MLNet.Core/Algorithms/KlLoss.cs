using Ippo.MLNet.Core.Ppo;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Algorithms;

/// <summary>KL to the reference as a term of the loss rather than of the reward (GRPO; verl's use_kl_loss).</summary>
public static class KlLoss
{
    /// <summary>
    /// logProbs (with autograd), refLogProbs, responseMask [batch, length] -> beta x aggregate(kl) with kl per token
    /// from <see cref="KlEstimators.Compute"/> (default k3, verl's low_var_kl: exp(ref - lp) - (ref - lp) - 1 with
    /// the log-ratio clamped to [-20, 20] and the result to [-10, 10]; a clamped token passes no gradient).
    /// Aggregated as the policy loss is, so the two add up token by token. beta in [0, 10]; 0 gives a zero loss.
    /// </summary>
    public static KlLossResult Compute(
        Tensor logProbs, Tensor refLogProbs, Tensor responseMask, double beta,
        LossAggregation aggregation = LossAggregation.TokenMean, double? denominator = null, KlEstimator estimator = KlEstimator.K3)
    {
        TensorChecks.Rank(logProbs, nameof(logProbs), 2);
        TensorChecks.SameShape(logProbs, nameof(logProbs), responseMask, nameof(responseMask));
        if (!(beta >= 0 && beta <= 10)) throw new ArgumentOutOfRangeException(nameof(beta), beta, $"The KL loss coefficient beta must be in [0, 10]; got {beta}.");
        using var scope = NewDisposeScope();
        var kl = KlEstimators.Compute(logProbs, refLogProbs, estimator);
        var loss = beta * LossAggregator.Aggregate(kl, responseMask, aggregation, denominator);
        var mean = MaskedStats.MaskedMean(kl.detach(), responseMask);
        return new KlLossResult(loss.MoveToOuterDisposeScope(), mean.MoveToOuterDisposeScope());
    }
}
