using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Models.Llama;

/// <summary>
/// Rotary position embedding, "rotate half" layout: feature i of a head pairs with feature i + headDim/2 and both turn
/// by position * inv_freq[i], inv_freq[i] = theta^(-2i/headDim), rescaled by <see cref="LlamaRopeScaling"/>. Holds no
/// parameters (nothing in the state dict); angles are computed in float64 and cast to the activations' dtype.
/// </summary>
public sealed class RotaryEmbedding
{
    private readonly double[] _inverseFrequencies;

    /// <summary>The inverse frequencies of <paramref name="config"/>'s heads, scaled as its rope_scaling says.</summary>
    public RotaryEmbedding(LlamaConfig config)
    {
        int half = config.HeadSize / 2;
        _inverseFrequencies = Enumerable.Range(0, half)
            .Select(i => 1.0 / Math.Pow(config.RopeTheta, 2.0 * i / config.HeadSize))
            .Select(f => Scale(f, config.RopeScaling))
            .ToArray();
    }

    /// <summary>inv_freq after scaling, [headDim / 2].</summary>
    public IReadOnlyList<double> InverseFrequencies => _inverseFrequencies;

    /// <summary>positions [batch, time] int64 -> (cos, sin) each [batch, 1, time, headDim] in <paramref name="dtype"/>.</summary>
    public (Tensor Cos, Tensor Sin) Angles(Tensor positions, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var frequencies = tensor(_inverseFrequencies, dtype: ScalarType.Float64, device: positions.device);
        var angles = positions.to(ScalarType.Float64).unsqueeze(-1) * frequencies;
        var both = cat(new[] { angles, angles }, -1).unsqueeze(1);
        return (both.cos().to(dtype).MoveToOuterDisposeScope(), both.sin().to(dtype).MoveToOuterDisposeScope());
    }

    /// <summary>Rotates x [batch, heads, time, headDim] by (cos, sin) [batch, 1, time, headDim].</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        long half = x.shape[^1] / 2;
        var rotated = cat(new[] { x.narrow(-1, half, half).neg(), x.narrow(-1, 0, half) }, -1);
        return x * cos + rotated * sin;
    }

    private static double Scale(double frequency, LlamaRopeScaling? scaling)
    {
        if (scaling is null || scaling.RopeType == "default") return frequency;
        if (scaling.RopeType == "linear") return frequency / scaling.Factor;
        // llama3: long wavelengths slow down by the factor, short ones stay, the band between blends the two.
        double wavelength = 2 * Math.PI / frequency;
        double lowFrequencyWavelength = scaling.OriginalMaxPositionEmbeddings / scaling.LowFreqFactor;
        double highFrequencyWavelength = scaling.OriginalMaxPositionEmbeddings / scaling.HighFreqFactor;
        if (wavelength < highFrequencyWavelength) return frequency;
        if (wavelength > lowFrequencyWavelength) return frequency / scaling.Factor;
        double smooth = (scaling.OriginalMaxPositionEmbeddings / wavelength - scaling.LowFreqFactor) / (scaling.HighFreqFactor - scaling.LowFreqFactor);
        return (1 - smooth) * frequency / scaling.Factor + smooth * frequency;
    }
}
