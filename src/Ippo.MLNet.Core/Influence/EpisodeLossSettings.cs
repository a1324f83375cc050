using Ippo.MLNet.Core.Ppo;

namespace Ippo.MLNet.Core.Influence;

/// <summary>
/// How one episode's PPO loss is formed for influence scoring: the clip range, dual clip, aggregation over the episode's
/// own tokens and the sampling temperature, taken from the trainer's <see cref="PpoOptions"/>.
/// </summary>
public sealed record EpisodeLossSettings(
    double ClipRangeLow = 0.2, double ClipRangeHigh = 0.2, double? DualClip = 3.0,
    LossAggregation Aggregation = LossAggregation.TokenMean, double Temperature = 1.0)
{
    /// <summary>The settings the PPO update uses.</summary>
    public static EpisodeLossSettings From(PpoOptions options) =>
        new(options.ClipRangeLow, options.ClipRangeHigh, options.DualClip, options.LossAggregation, options.Temperature);
}
