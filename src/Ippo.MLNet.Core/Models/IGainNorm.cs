using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Models;

/// <summary>
/// A normalisation module (RMSNorm, Qwen3's q_norm/k_norm) whose output is <c>Normalize(x) * weight</c>, plus
/// <c>bias</c> when it has one: its parameters are named "weight" (and "bias"). Influence scoring hooks any module
/// implementing this and attributes the gain's gradient as sum over every non-feature position of delta * xhat.
/// </summary>
public interface IGainNorm
{
    /// <summary>xhat for input [..., features]: the normalised input before the gain, in the output's dtype.</summary>
    Tensor Normalize(Tensor input);
}
