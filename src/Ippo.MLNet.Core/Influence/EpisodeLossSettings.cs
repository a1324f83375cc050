using Ippo.MLNet.Core.Ppo;

namespace Ippo.MLNet.Core.Influence;

/// <summary>
/// How one episode's policy loss is formed for influence scoring: the clip range, dual clip, aggregation over the
/// episode's own tokens, the sampling temperature, the KL loss coefficient (GRPO's beta, 0 = no KL term) and the token
/// budget the seq-mean-token-sum-norm aggregation divides by (null: the response width), from <see cref="PpoOptions"/>.
/// </summary>
public sealed record EpisodeLossSettings(
    double ClipRangeLow = 0.2, double ClipRangeHigh = 0.2, double? DualClip = 3.0,
    LossAggregation Aggregation = LossAggregation.TokenMean, double Temperature = 1.0,
    double KlLossCoefficient = 0, int? MaxNewTokens = null)
{
    /// <summary>
    /// The settings the update uses (the KL term only when the KL is a loss term with a reference);
    /// <paramref name="maxNewTokens"/>: the trainer's resolved rollout length (<see cref="PpoTrainer.ResolvedMaxNewTokens"/>),
    /// null for <see cref="PpoOptions.MaxNewTokens"/> as set.
    /// </summary>
    public static EpisodeLossSettings From(PpoOptions options, int? maxNewTokens = null) =>
        new(options.ClipRangeLow, options.ClipRangeHigh, options.DualClip, options.ResolvedLossAggregation, options.Temperature,
            options.KlMode == KlMode.Loss && options.NeedsReference ? options.KlCoefficient : 0, maxNewTokens ?? options.MaxNewTokens);
}
