using Ippo.MLNet.Core.Algorithms;
using Ippo.MLNet.Core.Ppo;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Influence;

/// <summary>Each episode's own policy loss (clipped PPO, or GRPO's with its KL term): the quantity whose gradient an influence score measures.</summary>
public static class EpisodeLoss
{
    /// <summary>
    /// Per-episode losses [batch] from log-probs, old log-probs and advantages [batch, responseLength], the loss mask and,
    /// when <see cref="EpisodeLossSettings.KlLossCoefficient"/> &gt; 0, the reference log-probs [batch, responseLength].
    /// Per token: the clipped surrogate (<see cref="GrpoLoss.PerToken"/> without dual clip) plus beta x k3. An episode's
    /// loss is what the update's aggregation returns for a batch holding that episode alone: token means divide its
    /// token sum by its own token count, seq-mean-token-sum keeps the sum, seq-mean-token-sum-norm divides it by
    /// MaxNewTokens (the response width when that is null).
    /// </summary>
    public static Tensor Compute(Tensor logProbs, Tensor oldLogProbs, Tensor advantages, Tensor responseMask, EpisodeLossSettings settings, Tensor? refLogProbs = null)
    {
        TensorChecks.Rank(logProbs, nameof(logProbs), 2);
        TensorChecks.SameShape(logProbs, nameof(logProbs), oldLogProbs, nameof(oldLogProbs));
        TensorChecks.SameShape(logProbs, nameof(logProbs), advantages, nameof(advantages));
        TensorChecks.SameShape(logProbs, nameof(logProbs), responseMask, nameof(responseMask));
        double beta = settings.KlLossCoefficient;
        using var scope = NewDisposeScope();
        var mask = responseMask.to(logProbs.dtype);
        var reference = refLogProbs?.to(logProbs.dtype);
        Tensor losses;
        if (settings.DualClip is null)
            losses = GrpoLoss.PerToken(logProbs, oldLogProbs, advantages, reference, settings.ClipRangeLow, settings.ClipRangeHigh, beta);
        else
        {
            losses = PolicyLoss.PerToken(logProbs, oldLogProbs, advantages, settings.ClipRangeLow, settings.ClipRangeHigh, settings.DualClip);
            if (beta > 0)
                losses = losses + beta * KlEstimators.Compute(logProbs, reference ?? throw new ArgumentNullException(nameof(refLogProbs),
                    $"KlLossCoefficient is {beta}: the KL loss term needs the reference log-probs."), KlEstimator.K3);
        }
        var sums = (losses * mask).sum(dim: 1);
        var result = settings.Aggregation switch
        {
            LossAggregation.SequenceMeanTokenSum => sums,
            LossAggregation.SequenceMeanTokenSumNorm => sums / (settings.MaxNewTokens ?? mask.shape[1]),
            _ => sums / mask.sum(dim: 1).clamp_min(1),
        };
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The coefficient of each episode's loss in the aggregated minibatch loss, so that minibatch loss = sum_i c_i *
    /// episode loss_i: <see cref="LossAggregator.SequenceCoefficients"/> (each token sum's weight) times the divisor
    /// <see cref="Compute"/> applied to it, times w_i. Token mean gives w_i n_i / sum n; the sequence means,
    /// seq-mean-token-sum and seq-mean-token-sum-norm (whose denominator is batch x MaxNewTokens) give w_i / batch.
    /// </summary>
    public static Tensor Coefficients(Tensor responseMask, Tensor? weights, LossAggregation aggregation)
    {
        using var scope = NewDisposeScope();
        var counts = responseMask.to(ScalarType.Float64).sum(dim: 1);
        var c = aggregation == LossAggregation.TokenMean ? counts / counts.sum() : ones_like(counts) / counts.shape[0];
        if (weights is not null) c = c * weights.to(ScalarType.Float64);
        return c.MoveToOuterDisposeScope();
    }
}
