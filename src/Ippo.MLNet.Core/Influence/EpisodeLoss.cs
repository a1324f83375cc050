using Ippo.MLNet.Core.Ppo;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Influence;

/// <summary>Each episode's own clipped PPO loss: the quantity whose gradient an influence score measures.</summary>
public static class EpisodeLoss
{
    /// <summary>
    /// Per-episode losses [batch] from log-probs, old log-probs and advantages [batch, responseLength] and the mask.
    /// Token-mean aggregations average over the episode's own tokens; token-sum sums them. An episode's loss is what
    /// <see cref="PolicyLoss.ClippedSurrogate"/> returns for a batch holding that episode alone.
    /// </summary>
    public static Tensor Compute(Tensor logProbs, Tensor oldLogProbs, Tensor advantages, Tensor responseMask, EpisodeLossSettings settings)
    {
        TensorChecks.Rank(logProbs, nameof(logProbs), 2);
        TensorChecks.SameShape(logProbs, nameof(logProbs), oldLogProbs, nameof(oldLogProbs));
        TensorChecks.SameShape(logProbs, nameof(logProbs), advantages, nameof(advantages));
        TensorChecks.SameShape(logProbs, nameof(logProbs), responseMask, nameof(responseMask));
        using var scope = NewDisposeScope();
        var mask = responseMask.to(logProbs.dtype);
        var losses = PolicyLoss.PerToken(logProbs, oldLogProbs, advantages, settings.ClipRangeLow, settings.ClipRangeHigh, settings.DualClip);
        var sums = (losses * mask).sum(dim: 1);
        var result = settings.Aggregation == LossAggregation.SequenceMeanTokenSum ? sums : sums / mask.sum(dim: 1).clamp_min(1);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The coefficient of each episode's loss in the aggregated minibatch loss, so that
    /// minibatch loss = sum_i c_i * episode loss_i: token-mean gives w_i * n_i / sum n, the sequence means give w_i / batch.
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
