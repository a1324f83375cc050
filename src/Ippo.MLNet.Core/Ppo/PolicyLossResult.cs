using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Ppo;

/// <summary>The clipped-surrogate loss and its diagnostics (scalars; the caller owns them).</summary>
/// <param name="Loss">The aggregated loss, with autograd.</param>
/// <param name="ClipFraction">Fraction of masked tokens where the clipped term was the larger loss.</param>
/// <param name="DualClipFraction">Fraction of masked tokens where the dual clip (negative advantages) was active.</param>
/// <param name="PpoKl">verl's ppo_kl: masked mean of old - new log-prob.</param>
/// <param name="ApproxKl">CleanRL's approx_kl: masked mean of (ratio - 1) - log ratio (never negative).</param>
public sealed record PolicyLossResult(Tensor Loss, Tensor ClipFraction, Tensor DualClipFraction, Tensor PpoKl, Tensor ApproxKl);
