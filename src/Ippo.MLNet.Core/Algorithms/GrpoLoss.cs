using Ippo.MLNet.Core.Ppo;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Algorithms;

/// <summary>GRPO's per-token loss: the clip-higher surrogate without dual clip, plus beta x k3 when the KL is a loss term.</summary>
public static class GrpoLoss
{
    /// <summary>
    /// logProbs (with autograd), oldLogProbs, advantages [batch, length]; refLogProbs [batch, length] or null when
    /// beta is 0 -> per-token losses [batch, length] (masked positions not zeroed): max(-A r, -A clip(r, 1 - clipLow,
    /// 1 + clipHigh)) + beta x k3(logProbs, refLogProbs). Aggregated with a mode it equals
    /// <see cref="PolicyLoss.ClippedSurrogate"/> (dualClip null) plus <see cref="KlLoss.Compute"/> with the same mode,
    /// because every aggregation is linear; one episode's rows give that episode's GRPO loss for influence scoring.
    /// </summary>
    public static Tensor PerToken(
        Tensor logProbs, Tensor oldLogProbs, Tensor advantages, Tensor? refLogProbs, double clipLow, double clipHigh, double beta)
    {
        TensorChecks.Rank(logProbs, nameof(logProbs), 2);
        TensorChecks.SameShape(logProbs, nameof(logProbs), oldLogProbs, nameof(oldLogProbs));
        TensorChecks.SameShape(logProbs, nameof(logProbs), advantages, nameof(advantages));
        if (!(beta >= 0 && beta <= 10)) throw new ArgumentOutOfRangeException(nameof(beta), beta, $"The KL loss coefficient beta must be in [0, 10]; got {beta}.");
        if (beta > 0 && refLogProbs is null)
            throw new ArgumentNullException(nameof(refLogProbs), $"beta is {beta}: the KL loss term needs the reference log-probs.");
        using var scope = NewDisposeScope();
        var losses = PolicyLoss.PerToken(logProbs, oldLogProbs, advantages, clipLow, clipHigh, dualClip: null);
        if (beta > 0) losses = losses + beta * KlEstimators.Compute(logProbs, refLogProbs!, KlEstimator.K3);
        return losses.MoveToOuterDisposeScope();
    }
}
