using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Ppo;

/// <summary>Statistics over the positions where a mask is 1 (verl's masked_mean / masked_var / masked_whiten).</summary>
public static class MaskedStats
{
    /// <summary>Sum of values where mask is 1. values, mask [batch, length] -> scalar.</summary>
    public static Tensor MaskedSum(Tensor values, Tensor mask)
    {
        TensorChecks.SameShape(values, nameof(values), mask, nameof(mask));
        return (values * mask.to(values.dtype)).sum();
    }

    /// <summary>Mean over the mask: values, mask [batch, length] -> scalar. Throws on an empty mask.</summary>
    public static Tensor MaskedMean(Tensor values, Tensor mask)
    {
        TensorChecks.SameShape(values, nameof(values), mask, nameof(mask));
        TensorChecks.NonEmptyMask(mask, nameof(mask));
        var m = mask.to(values.dtype);
        return (values * m).sum() / m.sum();
    }

    /// <summary>Mean over the mask along <paramref name="dim"/>: [batch, length] -> [batch] for dim 1. Rows with an empty mask give 0.</summary>
    public static Tensor MaskedMean(Tensor values, Tensor mask, long dim)
    {
        TensorChecks.SameShape(values, nameof(values), mask, nameof(mask));
        var m = mask.to(values.dtype);
        return (values * m).sum(dim: dim) / m.sum(dim: dim).clamp_min(1);
    }

    /// <summary>
    /// Variance over the mask: values, mask [batch, length] -> scalar. Unbiased (Bessel-corrected) by default; a
    /// single masked value has variance 0. Throws on an empty mask.
    /// </summary>
    public static Tensor MaskedVariance(Tensor values, Tensor mask, bool unbiased = true)
    {
        using var scope = NewDisposeScope();
        var mean = MaskedMean(values, mask);
        var centered = values - mean;
        var variance = MaskedMean(centered * centered, mask);
        var n = mask.to(values.dtype).sum();
        if (unbiased && n.ToDouble() > 1) variance = variance * n / (n - 1);
        return variance.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// (values - mean) / sqrt(var + 1e-8) over the mask, with the mean added back when <paramref name="shiftMean"/> is
    /// false. values, mask [batch, length] -> [batch, length], zero where mask is 0.
    /// </summary>
    public static Tensor MaskedWhiten(Tensor values, Tensor mask, bool shiftMean = true)
    {
        using var scope = NewDisposeScope();
        var mean = MaskedMean(values, mask);
        var variance = MaskedVariance(values, mask);
        var whitened = (values - mean) * (variance + 1e-8).rsqrt();
        if (!shiftMean) whitened = whitened + mean;
        return (whitened * mask.to(values.dtype)).MoveToOuterDisposeScope();
    }
}
