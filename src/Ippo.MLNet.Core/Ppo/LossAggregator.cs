using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Ppo;

/// <summary>Reduces per-token losses to a scalar (verl's agg_loss).</summary>
public static class LossAggregator
{
    /// <summary>
    /// losses, mask [batch, length] -> scalar, per <paramref name="mode"/>. <paramref name="denominator"/> replaces what
    /// the sum is divided by: the token count for TokenMean (default the mask's count; DAPO passes the count of the
    /// whole optimizer step), the sequence count for the sequence means (default batch), batch x the maximal response
    /// length for SequenceMeanTokenSumNorm (default batch x length, the padded width: pass batch x MaxNewTokens for a
    /// constant). Throws on an empty mask or a denominator that is not positive and finite.
    /// </summary>
    public static Tensor Aggregate(Tensor losses, Tensor mask, LossAggregation mode, double? denominator = null)
    {
        TensorChecks.SameShape(losses, nameof(losses), mask, nameof(mask));
        TensorChecks.NonEmptyMask(mask, nameof(mask));
        CheckDenominator(denominator);
        using var scope = NewDisposeScope();
        var m = mask.to(losses.dtype);
        var result = (mode, denominator) switch
        {
            (LossAggregation.TokenMean, null) => (losses * m).sum() / m.sum(),
            (LossAggregation.SequenceMeanTokenMean, null) => ((losses * m).sum(dim: 1) / m.sum(dim: 1).clamp_min(1)).mean(),
            (LossAggregation.SequenceMeanTokenSum, null) => (losses * m).sum(dim: 1).mean(),
            (LossAggregation.TokenMean or LossAggregation.SequenceMeanTokenSum or LossAggregation.SequenceMeanTokenSumNorm, _) =>
                (losses * m).sum() / (denominator ?? DefaultDenominator(m, mode)),
            (LossAggregation.SequenceMeanTokenMean, { } d) => ((losses * m).sum(dim: 1) / m.sum(dim: 1).clamp_min(1)).sum() / d,
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown loss aggregation."),
        };
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The weight of each sequence's token sum in <see cref="Aggregate"/>: mask [batch, length] -> c [batch] with
    /// Aggregate(losses) = sum_i c_i * sum_t mask_it * losses_it. TokenMean and SequenceMeanTokenSum(Norm) give
    /// 1 / denominator; SequenceMeanTokenMean gives 1 / (n_i * denominator), n_i the sequence's token count. This is
    /// how one episode's share of the batch loss is defined (influence scoring).
    /// </summary>
    public static Tensor SequenceCoefficients(Tensor mask, LossAggregation mode, double? denominator = null)
    {
        TensorChecks.Rank(mask, nameof(mask), 2);
        TensorChecks.NonEmptyMask(mask, nameof(mask));
        CheckDenominator(denominator);
        using var scope = NewDisposeScope();
        var m = mask.to(mask.is_floating_point() ? mask.dtype : ScalarType.Float64);
        var d = denominator ?? DefaultDenominator(m, mode);
        var coefficients = mode switch
        {
            LossAggregation.TokenMean or LossAggregation.SequenceMeanTokenSum or LossAggregation.SequenceMeanTokenSumNorm =>
                full(m.shape[0], 1.0 / d, dtype: m.dtype, device: m.device),
            LossAggregation.SequenceMeanTokenMean => 1.0 / (m.sum(dim: 1).clamp_min(1) * d),
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown loss aggregation."),
        };
        return coefficients.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// What <see cref="Aggregate"/> divides by for mask [batch, length] in <paramref name="mode"/>:
    /// <paramref name="denominator"/> when given, else the mode's default (the mask's token count, the batch, or batch x
    /// length). A step accumulated over micro-batches passes the whole step's value to each micro-batch's Aggregate, so
    /// their sums (and gradients) add up to the step's, for every mode.
    /// </summary>
    public static double Denominator(Tensor mask, LossAggregation mode, double? denominator = null)
    {
        TensorChecks.Rank(mask, nameof(mask), 2);
        CheckDenominator(denominator);
        if (denominator is { } d) return d;
        using var scope = NewDisposeScope();
        var m = mask.to(mask.is_floating_point() ? mask.dtype : ScalarType.Float64);
        return DefaultDenominator(m, mode);
    }

    private static double DefaultDenominator(Tensor m, LossAggregation mode) => mode switch
    {
        LossAggregation.TokenMean => m.sum().ToDouble(),
        LossAggregation.SequenceMeanTokenMean or LossAggregation.SequenceMeanTokenSum => m.shape[0],
        LossAggregation.SequenceMeanTokenSumNorm => (double)m.shape[0] * m.shape[1],
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown loss aggregation."),
    };

    private static void CheckDenominator(double? denominator)
    {
        if (denominator is { } d && !(d > 0 && double.IsFinite(d)))
            throw new ArgumentOutOfRangeException(nameof(denominator), d, $"The loss denominator must be positive and finite; got {d}.");
    }
}
