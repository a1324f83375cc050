using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Models.Llama;

/// <summary>
/// Root-mean-square norm over the last dimension: weight * x / sqrt(mean(x^2) + eps). The statistics are computed in
/// at least float32 (float64 stays float64) and the result cast back to the input's dtype before the gain, as
/// Hugging Face does for BF16/F16 weights.
/// </summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>, IGainNorm
{
    private readonly double _eps;
#pragma warning disable IDE1006 // state-dict names follow Hugging Face
    private readonly Parameter weight;
#pragma warning restore IDE1006

    /// <summary>A norm over <paramref name="features"/> values with gain 1 and the given epsilon.</summary>
    public RmsNorm(long features, double eps) : base(nameof(RmsNorm))
    {
        _eps = eps;
        weight = new Parameter(ones(features));
        RegisterComponents();
    }

    /// <inheritdoc />
    public Tensor Normalize(Tensor input)
    {
        var wide = input.dtype == ScalarType.Float64 ? input : input.to(ScalarType.Float32);
        var xhat = wide * (wide.square().mean(new long[] { -1 }, keepdim: true) + _eps).rsqrt();
        return xhat.to(input.dtype);
    }

    /// <summary>input [..., features] -> [..., features].</summary>
    public override Tensor forward(Tensor input) => weight * Normalize(input);
}
