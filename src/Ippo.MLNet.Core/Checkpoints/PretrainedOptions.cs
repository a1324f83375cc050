using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Checkpoints;

/// <summary>How <see cref="PretrainedModels.Load"/> places a Hugging Face checkpoint in memory.</summary>
public sealed record PretrainedOptions
{
    /// <summary>The dtypes a model can be loaded to.</summary>
    public static readonly IReadOnlyList<ScalarType> SupportedDtypes = new[] { ScalarType.Float32, ScalarType.Float64, ScalarType.BFloat16, ScalarType.Float16 };

    /// <summary>
    /// The dtype of the loaded weights, whatever the file stores (F32, F16 or BF16). Default Float32; one of
    /// <see cref="SupportedDtypes"/>.
    /// </summary>
    public ScalarType Dtype { get; init; } = ScalarType.Float32;

    /// <summary>The device of the loaded weights. Default null: the CPU.</summary>
    public Device? Device { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the option out of its range.</summary>
    public PretrainedOptions Validate()
    {
        if (!SupportedDtypes.Contains(Dtype))
            throw new ArgumentOutOfRangeException(nameof(Dtype), Dtype, $"PretrainedOptions.Dtype must be one of {string.Join(", ", SupportedDtypes)}.");
        return this;
    }
}
