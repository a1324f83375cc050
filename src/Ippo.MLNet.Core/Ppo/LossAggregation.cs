namespace Ippo.MLNet.Core.Ppo;

/// <summary>
/// How a [batch, length] matrix of per-token losses becomes one number (verl's loss_agg_mode). Every mode divides a
/// sum of the masked losses by a denominator, which <see cref="LossAggregator.Aggregate"/> can be given for a step
/// accumulated over several chunks.
/// </summary>
public enum LossAggregation
{
    /// <summary>Mean over every response token of the batch: long responses weigh more (verl token-mean; TRL bnpo, and dapo when given the step's token count).</summary>
    TokenMean,

    /// <summary>Mean over sequences of each sequence's token mean: every episode weighs the same (TRL grpo).</summary>
    SequenceMeanTokenMean,

    /// <summary>Mean over sequences of each sequence's token sum.</summary>
    SequenceMeanTokenSum,

    /// <summary>
    /// Sum of every masked token loss divided by a constant, batch x the maximal response length (Dr. GRPO, TRL
    /// dr_grpo, verl seq-mean-token-sum-norm): no length bias, and the same scale for every batch.
    /// </summary>
    SequenceMeanTokenSumNorm,
}
