using Ippo.MLNet.Core.Ppo;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Algorithms;

/// <summary>
/// Where clip-higher's two bounds bite (DAPO: a lower range epsilon_low and a wider upper range epsilon_high). The
/// loss itself is <see cref="PolicyLoss.ClippedSurrogate"/> with clipLow = epsilon_low, clipHigh = epsilon_high and
/// dualClip null (GRPO has no dual clip).
/// </summary>
public static class ClipRatios
{
    /// <summary>
    /// logProbs, oldLogProbs, advantages, responseMask [batch, length] -> masked token means of: ratio &lt; 1 - clipLow
    /// and A &lt; 0 (Low); ratio &gt; 1 + clipHigh and A &gt; 0 (High); either (Region). The ratio is exp of the
    /// log-ratio clamped to [-20, 20], as in the loss. clipLow in (0, 1), clipHigh in (0, 10].
    /// </summary>
    public static ClipRatioResult Compute(Tensor logProbs, Tensor oldLogProbs, Tensor advantages, Tensor responseMask, double clipLow, double clipHigh)
    {
        TensorChecks.Rank(logProbs, nameof(logProbs), 2);
        TensorChecks.SameShape(logProbs, nameof(logProbs), oldLogProbs, nameof(oldLogProbs));
        TensorChecks.SameShape(logProbs, nameof(logProbs), advantages, nameof(advantages));
        TensorChecks.SameShape(logProbs, nameof(logProbs), responseMask, nameof(responseMask));
        if (!(clipLow > 0 && clipLow < 1)) throw new ArgumentOutOfRangeException(nameof(clipLow), clipLow, $"clipLow (epsilon_low) must be in (0, 1); got {clipLow}.");
        if (!(clipHigh > 0 && clipHigh <= 10)) throw new ArgumentOutOfRangeException(nameof(clipHigh), clipHigh, $"clipHigh (epsilon_high) must be in (0, 10]; got {clipHigh}.");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var dtype = logProbs.is_floating_point() ? logProbs.dtype : ScalarType.Float32;
        var ratio = (logProbs - oldLogProbs).clamp(-20.0, 20.0).exp();
        var low = ratio.lt(1 - clipLow).logical_and(advantages.lt(0));
        var high = ratio.gt(1 + clipHigh).logical_and(advantages.gt(0));
        var region = low.logical_or(high);
        return new ClipRatioResult(
            MaskedStats.MaskedMean(low.to(dtype), responseMask).MoveToOuterDisposeScope(),
            MaskedStats.MaskedMean(high.to(dtype), responseMask).MoveToOuterDisposeScope(),
            MaskedStats.MaskedMean(region.to(dtype), responseMask).MoveToOuterDisposeScope());
    }
}
