using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Models;

/// <summary>Where a module's weights live.</summary>
public static class ModelDevice
{
    /// <summary>The device of the first parameter of <paramref name="module"/> (CPU for a module without any).</summary>
    public static Device Of(nn.Module module)
    {
        foreach (var p in module.parameters()) return p.device;
        return CPU;
    }
}
