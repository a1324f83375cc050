using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Algorithms;

/// <summary>Groups of completions of one prompt: their ids, and which groups carry a learning signal.</summary>
public static class Groups
{
    /// <summary>
    /// Group ids [prompts x samplesPerPrompt] int64 for a batch laid out prompt by prompt: episode
    /// p * samplesPerPrompt + k is sample k of prompt p and gets id p. prompts in [1, 65,536], samplesPerPrompt in [1, 1,024].
    /// </summary>
    public static Tensor Ids(int prompts, int samplesPerPrompt, Device? device = null)
    {
        if (prompts < 1 || prompts > 65_536) throw new ArgumentOutOfRangeException(nameof(prompts), prompts, $"prompts must be in [1, 65536]; got {prompts}.");
        if (samplesPerPrompt < 1 || samplesPerPrompt > 1_024)
            throw new ArgumentOutOfRangeException(nameof(samplesPerPrompt), samplesPerPrompt, $"SamplesPerPrompt must be in [1, 1024]; got {samplesPerPrompt}.");
        using var scope = NewDisposeScope();
        return arange(prompts, dtype: ScalarType.Int64, device: device).repeat_interleave(samplesPerPrompt).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Whether each episode's group agrees on its score: scores [batch], groupIds [batch] -> bool [batch], true where
    /// the group's max - min is at most <paramref name="tolerance"/> (default 0: exactly equal; range [0, inf)). Such a
    /// group has every GRPO advantage 0 and teaches nothing.
    /// </summary>
    public static Tensor ZeroStd(Tensor scores, Tensor groupIds, double tolerance = 0)
    {
        if (!(tolerance >= 0)) throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, $"tolerance must be >= 0; got {tolerance}.");
        using var scope = NewDisposeScope();
        return GroupStats.Range(scores, groupIds).le(tolerance).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// TRL's frac_reward_zero_std: the fraction of groups (not episodes) whose scores all agree, within
    /// <paramref name="tolerance"/> as in <see cref="ZeroStd"/>. scores [batch], groupIds [batch] -> a number in [0, 1].
    /// </summary>
    public static double FractionZeroStd(Tensor scores, Tensor groupIds, double tolerance = 0)
    {
        using var scope = NewDisposeScope();
        var zero = ZeroStd(scores, groupIds, tolerance).to(ScalarType.Float64);
        var (_, inverse, counts) = GroupStats.Index(groupIds.to(scores.device));
        // Each episode contributes 1 / its group size, so a group counts once whatever its size.
        var perGroup = zero / counts.to(ScalarType.Float64).gather(0, inverse);
        return perGroup.sum().ToDouble() / counts.shape[0];
    }

    /// <summary>
    /// DAPO's dynamic sampling: bool [batch], true for the episodes of groups whose scores do not all agree (the
    /// complement of <see cref="ZeroStd"/>), the ones to keep.
    /// </summary>
    public static Tensor KeepMask(Tensor scores, Tensor groupIds, double tolerance = 0)
    {
        using var scope = NewDisposeScope();
        return ZeroStd(scores, groupIds, tolerance).logical_not().MoveToOuterDisposeScope();
    }
}
