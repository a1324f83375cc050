using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Algorithms;

/// <summary>The rollout half of the GRPO metrics (reward, groups, completion lengths), under <see cref="GrpoMetricNames"/>.</summary>
public static class GrpoRolloutMetrics
{
    /// <summary>
    /// scores [batch] (floating), groupIds [batch], responseMask [batch, length], truncated bool [batch] -> reward,
    /// reward_std (mean of each episode's group std, Bessel-corrected), frac_reward_zero_std (exact agreement) and
    /// the completions/* lengths (masked token counts; the terminated ones over episodes not truncated, 0 if none).
    /// </summary>
    public static IReadOnlyDictionary<string, double> Compute(Tensor scores, Tensor groupIds, Tensor responseMask, Tensor truncated)
    {
        GroupStats.CheckValues(scores, groupIds);
        if (responseMask.dim() != 2 || responseMask.shape[0] != scores.shape[0])
            throw new ArgumentException($"responseMask must have shape [{scores.shape[0]}, length]; it has [{string.Join(", ", responseMask.shape)}].", nameof(responseMask));
        if (truncated.dim() != 1 || truncated.shape[0] != scores.shape[0] || truncated.dtype != ScalarType.Bool)
            throw new ArgumentException($"truncated must be a bool tensor of shape [{scores.shape[0]}]; it is {truncated.dtype} [{string.Join(", ", truncated.shape)}].", nameof(truncated));
        using var scope = NewDisposeScope();
        var lengths = responseMask.to(ScalarType.Float64).sum(dim: 1);
        var terminated = lengths.masked_select(truncated.logical_not());
        bool any = terminated.shape[0] > 0;
        return new Dictionary<string, double>
        {
            [GrpoMetricNames.Reward] = scores.mean().ToDouble(),
            [GrpoMetricNames.RewardStd] = GroupStats.Std(scores, groupIds).mean().ToDouble(),
            [GrpoMetricNames.FracRewardZeroStd] = Groups.FractionZeroStd(scores, groupIds),
            [GrpoMetricNames.CompletionsMeanLength] = lengths.mean().ToDouble(),
            [GrpoMetricNames.CompletionsMinLength] = lengths.min().ToDouble(),
            [GrpoMetricNames.CompletionsMaxLength] = lengths.max().ToDouble(),
            [GrpoMetricNames.CompletionsClippedRatio] = truncated.to(ScalarType.Float64).mean().ToDouble(),
            [GrpoMetricNames.CompletionsMeanTerminatedLength] = any ? terminated.mean().ToDouble() : 0,
            [GrpoMetricNames.CompletionsMinTerminatedLength] = any ? terminated.min().ToDouble() : 0,
            [GrpoMetricNames.CompletionsMaxTerminatedLength] = any ? terminated.max().ToDouble() : 0,
        };
    }
}
