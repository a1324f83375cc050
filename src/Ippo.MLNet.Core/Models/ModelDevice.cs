using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Models;

/// <summary>Where a module's weights live, in which dtype, and how to copy a model onto the same place.</summary>
public static class ModelDevice
{
    /// <summary>The device of the first parameter of <paramref name="module"/> (CPU for a module without any).</summary>
    public static Device Of(nn.Module module)
    {
        foreach (var p in module.parameters()) return p.device;
        return CPU;
    }

    /// <summary>The dtype of the first floating-point parameter of <paramref name="module"/> (float32 for a module without any).</summary>
    public static ScalarType DtypeOf(nn.Module module)
    {
        foreach (var p in module.parameters())
            if (p.is_floating_point()) return p.dtype;
        return ScalarType.Float32;
    }

    /// <summary>
    /// A deep copy of <paramref name="source"/> (its LoRA adapters included): <see cref="CausalLanguageModel.CreateAdaptedSibling"/> moved to the source's dtype
    /// and device, then its state dict loaded. Owned by the caller.
    /// </summary>
    public static CausalLanguageModel CopyOf(CausalLanguageModel source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var copy = source.CreateAdaptedSibling();
        try
        {
            copy.to(Of(source), DtypeOf(source));
            copy.load_state_dict(source.state_dict());
            return copy;
        }
        catch
        {
            copy.Dispose();
            throw;
        }
    }
}
