namespace Ippo.MLNet.Core.Ppo;

/// <summary>Names of per-iteration metrics, in TRL's vocabulary where TRL has one.</summary>
public static class MetricNames
{
    /// <summary>Mean over episodes of the summed per-token KL to the reference.</summary>
    public const string Kl = "objective/kl";
    /// <summary>Mean token entropy of the policy on its responses.</summary>
    public const string Entropy = "objective/entropy";
    /// <summary>Mean score minus beta times the summed KL.</summary>
    public const string RlhfReward = "objective/rlhf_reward";
    /// <summary>Mean reward-function score (penalties included).</summary>
    public const string Scores = "objective/scores";
    /// <summary>The KL coefficient beta used this iteration.</summary>
    public const string KlCoefficient = "objective/kl_coef";
    /// <summary>Mean approximate KL between the updated and the rollout policy.</summary>
    public const string ApproxKl = "policy/approxkl_avg";
    /// <summary>Fraction of tokens whose ratio was clipped.</summary>
    public const string ClipFraction = "policy/clipfrac_avg";
    /// <summary>Mean clipped-surrogate loss.</summary>
    public const string PolicyLoss = "loss/policy_avg";
    /// <summary>Mean clipped value loss.</summary>
    public const string ValueLoss = "loss/value_avg";
    /// <summary>Fraction of tokens whose value update was clipped.</summary>
    public const string ValueClipFraction = "val/clipfrac_avg";
    /// <summary>Mean probability ratio new/old over the update.</summary>
    public const string Ratio = "val/ratio";
    /// <summary>Explained variance of the returns by the rollout values.</summary>
    public const string ExplainedVariance = "val/explained_variance";
    /// <summary>Mean response length in tokens (EOS included).</summary>
    public const string ResponseLength = "val/response_length";
    /// <summary>Fraction of episodes that ended with EOS.</summary>
    public const string EosFraction = "val/eos_fraction";
    /// <summary>Episodes generated this iteration.</summary>
    public const string Episodes = "buffer/episodes";
    /// <summary>Episodes the update used (all of them in plain PPO).</summary>
    public const string KeptEpisodes = "buffer/kept";
    /// <summary>KeptEpisodes / Episodes.</summary>
    public const string KeptFraction = "buffer/kept_fraction";
    /// <summary>Optimizer steps taken this iteration.</summary>
    public const string UpdateSteps = "update/steps";
    /// <summary>1 when the target-KL rule ended the epochs early, else 0.</summary>
    public const string TargetKlStop = "update/target_kl_stop";
    /// <summary>Seconds spent generating rollouts.</summary>
    public const string RolloutSeconds = "time/rollout";
    /// <summary>Seconds spent on reference log-probs, values and rewards.</summary>
    public const string ScoringSeconds = "time/scoring";
    /// <summary>Seconds spent filtering the buffer (influence scoring in I-PPO).</summary>
    public const string FilterSeconds = "time/filter";
    /// <summary>Seconds spent in the PPO update.</summary>
    public const string UpdateSeconds = "time/update";

    /// <summary>Mean influence score of the buffer's episodes.</summary>
    public const string ScoreMean = "influence/score_mean";

    /// <summary>Standard deviation of the influence scores.</summary>
    public const string ScoreStd = "influence/score_std";

    /// <summary>Smallest influence score.</summary>
    public const string ScoreMin = "influence/score_min";

    /// <summary>Largest influence score.</summary>
    public const string ScoreMax = "influence/score_max";

    /// <summary>Fraction of kept episodes whose final answer is correct: the judge's extracted answer equals its true answer, as evaluation's accuracy (needs a judge; labels not needed).</summary>
    public const string KeptCorrectFraction = "influence/kept_correct_fraction";

    /// <summary>Fraction of kept episodes that are correct with every step right (needs a judge that labels steps; NaN when any label is null, as evaluation's faithful accuracy).</summary>
    public const string KeptFaithfulFraction = "influence/kept_faithful_fraction";

    /// <summary>Fraction of all episodes with a correct answer, counted as <see cref="KeptCorrectFraction"/> (needs a judge).</summary>
    public const string CorrectFraction = "influence/correct_fraction";

    /// <summary>Mean score of correct episodes with faithful steps (needs a judge that labels steps; NaN when there are none or any label is null).</summary>
    public const string ScoreMeanFaithful = "influence/score_mean_faithful";

    /// <summary>Mean score of correct episodes with a wrong step (needs a judge that labels steps; NaN when there are none or any label is null).</summary>
    public const string ScoreMeanUnfaithful = "influence/score_mean_unfaithful";

    /// <summary>1 on the iteration where the filter's stop rule fired, else 0.</summary>
    public const string EarlyStop = "influence/early_stop";

    /// <summary>1 when the update's first minibatch step reused the scoring backward pass, else 0.</summary>
    public const string FusedFirstStep = "influence/fused_first_step";

    /// <summary>Seconds spent on the validation gradient.</summary>
    public const string ValidationGradientSeconds = "time/validation_gradient";

    /// <summary>Seconds spent scoring episodes (forward, backward to layer outputs, dot products).</summary>
    public const string InfluenceSeconds = "time/influence";

    /// <summary>Minibatch steps of the iteration skipped because the loss or a gradient was not finite.</summary>
    public const string SkippedSteps = "guard/skipped_steps";

    /// <summary>1 when the rollout's log-probs, values or advantages were not finite (the iteration trained nothing).</summary>
    public const string NonFiniteRollout = "guard/nonfinite_rollout";

    /// <summary>Iterations in a row, up to this one, with a non-finite rollout or a skipped step.</summary>
    public const string NonFiniteStreak = "guard/nonfinite_streak";

    /// <summary>1 when a checkpoint was written after this iteration.</summary>
    public const string CheckpointWritten = "checkpoint/written";

    /// <summary>Episodes left out of the update because every score of their group agreed (PpoOptions.DropZeroStdGroups).</summary>
    public const string DroppedZeroStdEpisodes = "buffer/dropped_zero_std";
}
