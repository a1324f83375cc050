namespace Ippo.MLNet.Core.Algorithms;

/// <summary>Names of GRPO-family per-iteration metrics, TRL's GRPOTrainer names (the PPO ones stay in MetricNames).</summary>
public static class GrpoMetricNames
{
    /// <summary>Mean score of the iteration's episodes.</summary>
    public const string Reward = "reward";

    /// <summary>Mean over episodes of the standard deviation of their group's scores.</summary>
    public const string RewardStd = "reward_std";

    /// <summary>Fraction of groups whose scores all agree (their advantages are all 0).</summary>
    public const string FracRewardZeroStd = "frac_reward_zero_std";

    /// <summary>Masked token mean of the per-token KL to the reference (when beta &gt; 0).</summary>
    public const string Kl = "kl";

    /// <summary>Mean token entropy of the policy on its completions.</summary>
    public const string Entropy = "entropy";

    /// <summary>Fraction of tokens with ratio &lt; 1 - epsilon_low and a negative advantage.</summary>
    public const string ClipRatioLowMean = "clip_ratio/low_mean";

    /// <summary>Fraction of tokens with ratio &gt; 1 + epsilon_high and a positive advantage.</summary>
    public const string ClipRatioHighMean = "clip_ratio/high_mean";

    /// <summary>Fraction of tokens clipped at either bound.</summary>
    public const string ClipRatioRegionMean = "clip_ratio/region_mean";

    /// <summary>Mean completion length in tokens (EOS included).</summary>
    public const string CompletionsMeanLength = "completions/mean_length";

    /// <summary>Shortest completion, in tokens.</summary>
    public const string CompletionsMinLength = "completions/min_length";

    /// <summary>Longest completion, in tokens.</summary>
    public const string CompletionsMaxLength = "completions/max_length";

    /// <summary>Fraction of completions cut at the token limit without EOS.</summary>
    public const string CompletionsClippedRatio = "completions/clipped_ratio";

    /// <summary>Mean length of the completions that ended with EOS (0 when none did).</summary>
    public const string CompletionsMeanTerminatedLength = "completions/mean_terminated_length";

    /// <summary>Shortest completion that ended with EOS (0 when none did).</summary>
    public const string CompletionsMinTerminatedLength = "completions/min_terminated_length";

    /// <summary>Longest completion that ended with EOS (0 when none did).</summary>
    public const string CompletionsMaxTerminatedLength = "completions/max_terminated_length";

    /// <summary>Mean of one reward function's scores: rewards/{name}/mean.</summary>
    public static string RewardMean(string rewardName) => $"rewards/{rewardName}/mean";

    /// <summary>Standard deviation of one reward function's scores: rewards/{name}/std.</summary>
    public static string RewardStdOf(string rewardName) => $"rewards/{rewardName}/std";
}
