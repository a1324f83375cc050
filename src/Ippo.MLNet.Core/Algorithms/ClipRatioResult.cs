using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Algorithms;

/// <summary>Fractions of masked tokens where a clip bound is active (scalars, detached; the caller owns them).</summary>
/// <param name="Low">Ratio below 1 - clipLow with a negative advantage (TRL clip_ratio/low_mean).</param>
/// <param name="High">Ratio above 1 + clipHigh with a positive advantage (TRL clip_ratio/high_mean).</param>
/// <param name="Region">Either of the two (TRL clip_ratio/region_mean): the tokens that pass no policy gradient.</param>
public sealed record ClipRatioResult(Tensor Low, Tensor High, Tensor Region);
