using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Models;

/// <summary>
/// Hugging Face's initialisation of a fresh pretrained-family model: matrices normal(0, std), biases 0, vector gains
/// (norm weights) 1. Seeded with 0, so a config gives the same weights every time (callers usually overwrite them).
/// </summary>
internal static class PretrainedInit
{
    public static void Apply(nn.Module module, double std)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(0);
        using var _ = no_grad();
        foreach (var (name, p) in module.named_parameters())
        {
            if (name.EndsWith(".bias")) nn.init.zeros_(p);
            else if (p.dim() == 1) nn.init.ones_(p);
            else p.copy_(randn(p.shape, dtype: p.dtype, generator: generator) * std);
        }
    }
}
