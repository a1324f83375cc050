using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Ppo;

/// <summary>PPO's clipped surrogate objective with asymmetric clipping and dual clip (verl's compute_policy_loss).</summary>
public static class PolicyLoss
{
    /// <summary>
    /// logProbs (with autograd), oldLogProbs, advantages, responseMask [batch, length]; optional per-sequence
    /// weights [batch] multiply each sequence's per-token losses before aggregation (all ones = unweighted).
    /// denominator replaces what the aggregation divides by (see <see cref="LossAggregator.Aggregate"/>; dr_grpo passes batch x MaxNewTokens).
    /// Per token: max(-A r, -A clip(r, 1 - clipLow, 1 + clipHigh)); for A &lt; 0 also capped at -A c (dual clip).
    /// The log-ratio is clamped to [-20, 20] before exp.
    /// </summary>
    public static PolicyLossResult ClippedSurrogate(
        Tensor logProbs, Tensor oldLogProbs, Tensor advantages, Tensor responseMask,
        double clipLow = 0.2, double clipHigh = 0.2, double? dualClip = 3.0,
        LossAggregation aggregation = LossAggregation.TokenMean, Tensor? weights = null, double? denominator = null)
    {
        TensorChecks.Rank(logProbs, nameof(logProbs), 2);
        TensorChecks.SameShape(logProbs, nameof(logProbs), oldLogProbs, nameof(oldLogProbs));
        TensorChecks.SameShape(logProbs, nameof(logProbs), advantages, nameof(advantages));
        TensorChecks.SameShape(logProbs, nameof(logProbs), responseMask, nameof(responseMask));
        if (weights is not null && (weights.dim() != 1 || weights.shape[0] != logProbs.shape[0]))
            throw new ArgumentException($"weights must have shape [{logProbs.shape[0]}]; it has [{string.Join(", ", weights.shape)}].", nameof(weights));
        if (dualClip is { } c && !(c > 1)) throw new ArgumentOutOfRangeException(nameof(dualClip), c, "The dual-clip constant must be > 1.");
        using var scope = NewDisposeScope();
        var mask = responseMask.to(logProbs.dtype);
        var logRatio = (logProbs - oldLogProbs).clamp(-20.0, 20.0);
        var ratio = logRatio.exp();
        var (clipped, unclipped, clippedMax, losses) = Surrogate(ratio, advantages, clipLow, clipHigh, dualClip);
        var clipFraction = MaskedStats.MaskedMean(clipped.gt(unclipped).to(logProbs.dtype), mask);
        var dualFraction = zeros(1, dtype: logProbs.dtype, device: logProbs.device).squeeze();
        if (dualClip is { } constant)
            dualFraction = MaskedStats.MaskedMean(clippedMax.gt(-advantages * constant).logical_and(advantages.lt(0)).to(logProbs.dtype), mask);
        if (weights is not null) losses = losses * weights.to(losses.dtype).unsqueeze(1);
        var loss = LossAggregator.Aggregate(losses, mask, aggregation, denominator);
        var ppoKl = MaskedStats.MaskedMean(-logRatio, mask);
        var approxKl = MaskedStats.MaskedMean(ratio - 1 - logRatio, mask);
        return new PolicyLossResult(
            loss.MoveToOuterDisposeScope(), clipFraction.detach().MoveToOuterDisposeScope(), dualFraction.detach().MoveToOuterDisposeScope(),
            ppoKl.detach().MoveToOuterDisposeScope(), approxKl.detach().MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The per-token clipped surrogate loss [batch, responseLength] (masked positions not zeroed): -A * ratio with
    /// PPO's clip, and dual-clip capping at -A * c where A &lt; 0. The building block of
    /// <see cref="ClippedSurrogate"/> and of per-episode losses for influence scoring.
    /// </summary>
    public static Tensor PerToken(Tensor logProbs, Tensor oldLogProbs, Tensor advantages, double clipLow = 0.2, double clipHigh = 0.2, double? dualClip = 3.0)
    {
        using var scope = NewDisposeScope();
        var ratio = (logProbs - oldLogProbs).clamp(-20.0, 20.0).exp();
        return Surrogate(ratio, advantages, clipLow, clipHigh, dualClip).Losses.MoveToOuterDisposeScope();
    }

    private static (Tensor Clipped, Tensor Unclipped, Tensor ClippedMax, Tensor Losses) Surrogate(
        Tensor ratio, Tensor advantages, double clipLow, double clipHigh, double? dualClip)
    {
        var unclipped = -advantages * ratio;
        var clipped = -advantages * ratio.clamp(1 - clipLow, 1 + clipHigh);
        var clippedMax = maximum(unclipped, clipped);
        var losses = dualClip is { } c ? where(advantages.lt(0), minimum(-advantages * c, clippedMax), clippedMax) : clippedMax;
        return (clipped, unclipped, clippedMax, losses);
    }
}
