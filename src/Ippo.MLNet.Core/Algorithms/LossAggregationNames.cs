using Ippo.MLNet.Core.Ppo;

namespace Ippo.MLNet.Core.Algorithms;

/// <summary>
/// <see cref="LossAggregation"/> modes by name: verl's loss_agg_mode names, and TRL's GRPO loss_type names as
/// aliases. TRL's "bnpo" and "dapo" are both a token mean and differ only in the token count divided by (the
/// chunk's, or the whole optimizer step's when gradients accumulate over chunks: pass it as the denominator).
/// </summary>
public static class LossAggregationNames
{
    /// <summary>verl "token-mean": <see cref="LossAggregation.TokenMean"/>.</summary>
    public const string TokenMean = "token-mean";

    /// <summary>verl "seq-mean-token-mean": <see cref="LossAggregation.SequenceMeanTokenMean"/>.</summary>
    public const string SequenceMeanTokenMean = "seq-mean-token-mean";

    /// <summary>verl "seq-mean-token-sum": <see cref="LossAggregation.SequenceMeanTokenSum"/>.</summary>
    public const string SequenceMeanTokenSum = "seq-mean-token-sum";

    /// <summary>verl "seq-mean-token-sum-norm": <see cref="LossAggregation.SequenceMeanTokenSumNorm"/>.</summary>
    public const string SequenceMeanTokenSumNorm = "seq-mean-token-sum-norm";

    /// <summary>TRL loss_type "grpo": each sequence's token mean, averaged (SequenceMeanTokenMean).</summary>
    public const string Grpo = "grpo";

    /// <summary>TRL loss_type "bnpo": token mean of the chunk (TokenMean).</summary>
    public const string Bnpo = "bnpo";

    /// <summary>TRL loss_type "dr_grpo": token sum over batch x max completion length (SequenceMeanTokenSumNorm).</summary>
    public const string DrGrpo = "dr_grpo";

    /// <summary>TRL loss_type "dapo": token mean over the whole optimizer step (TokenMean, denominator = the step's tokens).</summary>
    public const string Dapo = "dapo";

    private static readonly Dictionary<string, LossAggregation> Modes = new(StringComparer.Ordinal)
    {
        [TokenMean] = LossAggregation.TokenMean,
        [SequenceMeanTokenMean] = LossAggregation.SequenceMeanTokenMean,
        [SequenceMeanTokenSum] = LossAggregation.SequenceMeanTokenSum,
        [SequenceMeanTokenSumNorm] = LossAggregation.SequenceMeanTokenSumNorm,
        [Grpo] = LossAggregation.SequenceMeanTokenMean,
        [Bnpo] = LossAggregation.TokenMean,
        [DrGrpo] = LossAggregation.SequenceMeanTokenSumNorm,
        [Dapo] = LossAggregation.TokenMean,
    };

    /// <summary>Every accepted name, sorted.</summary>
    public static IReadOnlyList<string> Names => Modes.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();

    /// <summary>The mode called <paramref name="name"/>; the error lists the accepted names.</summary>
    public static LossAggregation Parse(string name)
    {
        if (name is not null && Modes.TryGetValue(name, out var mode)) return mode;
        throw new ArgumentOutOfRangeException(nameof(name), name, $"LossType '{name}' is not known; known: {string.Join(", ", Names)}.");
    }

    /// <summary>verl's name of <paramref name="mode"/>.</summary>
    public static string Name(LossAggregation mode) => mode switch
    {
        LossAggregation.TokenMean => TokenMean,
        LossAggregation.SequenceMeanTokenMean => SequenceMeanTokenMean,
        LossAggregation.SequenceMeanTokenSum => SequenceMeanTokenSum,
        LossAggregation.SequenceMeanTokenSumNorm => SequenceMeanTokenSumNorm,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown loss aggregation."),
    };
}
