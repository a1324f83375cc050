using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Ppo;

/// <summary>PPO's clipped value loss (verl's compute_value_loss, TRL's vf loss).</summary>
public static class ValueLoss
{
    /// <summary>
    /// values (with autograd), oldValues, returns, responseMask [batch, length] -> (Loss, ClipFraction), scalars.
    /// Loss = 0.5 * aggregate(max((v - R)^2, (clip(v, old - c, old + c) - R)^2)); <paramref name="denominator"/> replaces
    /// what the aggregation divides by (<see cref="LossAggregator.Aggregate"/>: a micro-batch passes its whole step's).
    /// </summary>
    public static (Tensor Loss, Tensor ClipFraction) Clipped(
        Tensor values, Tensor oldValues, Tensor returns, Tensor responseMask, double clipRange = 0.2,
        LossAggregation aggregation = LossAggregation.TokenMean, double? denominator = null)
    {
        TensorChecks.Rank(values, nameof(values), 2);
        TensorChecks.SameShape(values, nameof(values), oldValues, nameof(oldValues));
        TensorChecks.SameShape(values, nameof(values), returns, nameof(returns));
        TensorChecks.SameShape(values, nameof(values), responseMask, nameof(responseMask));
        if (!(clipRange > 0)) throw new ArgumentOutOfRangeException(nameof(clipRange), clipRange, "The value clip range must be > 0.");
        using var scope = NewDisposeScope();
        var clippedValues = values.clamp(oldValues - clipRange, oldValues + clipRange);
        var unclippedLoss = (values - returns).square();
        var clippedLoss = (clippedValues - returns).square();
        var loss = 0.5 * LossAggregator.Aggregate(maximum(unclippedLoss, clippedLoss), responseMask, aggregation, denominator);
        var fraction = MaskedStats.MaskedMean(clippedLoss.gt(unclippedLoss).to(values.dtype), responseMask);
        return (loss.MoveToOuterDisposeScope(), fraction.detach().MoveToOuterDisposeScope());
    }
}
