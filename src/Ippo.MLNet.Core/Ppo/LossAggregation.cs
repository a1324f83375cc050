namespace Ippo.MLNet.Core.Ppo;

/// <summary>How a [batch, length] matrix of per-token losses becomes one number (verl's loss_agg_mode).</summary>
public enum LossAggregation
{
    /// <summary>Mean over every response token of the batch: long responses weigh more.</summary>
    TokenMean,

    /// <summary>Mean over sequences of each sequence's token mean: every episode weighs the same.</summary>
    SequenceMeanTokenMean,

    /// <summary>Mean over sequences of each sequence's token sum.</summary>
    SequenceMeanTokenSum,
}
