using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Algorithms;

/// <summary>The KL loss term and its metric (scalars; the caller owns them).</summary>
/// <param name="Loss">beta x the aggregated per-token KL, with autograd: add it to the policy loss.</param>
/// <param name="MeanKl">Masked token mean of the per-token KL, detached (TRL's GRPO metric "kl").</param>
public sealed record KlLossResult(Tensor Loss, Tensor MeanKl);
