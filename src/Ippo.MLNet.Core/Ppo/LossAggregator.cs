using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Ppo;

/// <summary>Reduces per-token losses to a scalar (verl's agg_loss).</summary>
public static class LossAggregator
{
    /// <summary>losses, mask [batch, length] -> scalar, per <paramref name="mode"/>. Throws on an empty mask.</summary>
    public static Tensor Aggregate(Tensor losses, Tensor mask, LossAggregation mode)
    {
        TensorChecks.SameShape(losses, nameof(losses), mask, nameof(mask));
        TensorChecks.NonEmptyMask(mask, nameof(mask));
        using var scope = NewDisposeScope();
        var m = mask.to(losses.dtype);
        var result = mode switch
        {
            LossAggregation.TokenMean => (losses * m).sum() / m.sum(),
            LossAggregation.SequenceMeanTokenMean => ((losses * m).sum(dim: 1) / m.sum(dim: 1).clamp_min(1)).mean(),
            LossAggregation.SequenceMeanTokenSum => (losses * m).sum(dim: 1).mean(),
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown loss aggregation."),
        };
        return result.MoveToOuterDisposeScope();
    }
}
