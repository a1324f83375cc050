using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Models;

/// <summary>nanoGPT's initialisation: normal(0, 0.02) weights, zero biases, unit norm gains, and residual
/// projections scaled by 1/sqrt(2 * layers). Seeded, so a config gives the same weights every time.
/// (TorchSharp 0.107's nn.init.normal_ ignores its generator argument, hence randn + copy_.)</summary>
internal static class ModelInit
{
    public static void Apply(nn.Module module, GptConfig config)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator((ulong)config.InitSeed);
        using var _ = no_grad();
        double residualStd = 0.02 / Math.Sqrt(2.0 * config.Layers);
        foreach (var (name, p) in module.named_parameters())
        {
            if (name.EndsWith(".bias")) nn.init.zeros_(p);
            else if (name.Contains(".ln_") || name.EndsWith("ln_f.weight")) nn.init.ones_(p);
            else p.copy_(randn(p.shape, dtype: p.dtype, generator: generator) * (name.EndsWith("c_proj.weight") ? residualStd : 0.02));
        }
    }
}
