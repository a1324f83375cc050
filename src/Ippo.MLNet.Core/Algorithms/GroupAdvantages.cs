using Ippo.MLNet.Core.Ppo;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Algorithms;

/// <summary>
/// Critic-free advantages from one score per episode and its group (verl's outcome estimators). Every function takes
/// scores [batch] (floating), responseMask [batch, length] and groupIds [batch] (integer; episodes of one prompt
/// share an id) and returns (Advantages, Returns) [batch, length]: the episode's advantage on each of its response
/// tokens, 0 where the mask is 0. Returns equal Advantages (there is no value to regress). Every group needs at least
/// two episodes; a smaller one is an error naming SamplesPerPrompt.
/// </summary>
public static class GroupAdvantages
{
    /// <summary>Default of <see cref="Grpo"/>'s epsilon: verl's 1e-6 (TRL adds 1e-4).</summary>
    public const double DefaultEpsilon = 1e-6;

    /// <summary>
    /// GRPO: A_i = (s_i - mean_group(s)) / (std + epsilon), std per <paramref name="scaling"/> (Bessel-corrected, as
    /// torch.std; Batch takes it over every score of the batch); with <see cref="RewardScaling.None"/> (Dr. GRPO)
    /// A_i = s_i - mean_group(s). epsilon, in (0, 1], keeps a group whose scores all agree at advantage 0 rather
    /// than 0/0.
    /// </summary>
    public static (Tensor Advantages, Tensor Returns) Grpo(
        Tensor scores, Tensor responseMask, Tensor groupIds, RewardScaling scaling = RewardScaling.Group, double epsilon = DefaultEpsilon)
    {
        CheckInputs(scores, responseMask, groupIds, "grpo");
        if (!(epsilon > 0 && epsilon <= 1)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, $"epsilon must be in (0, 1]; got {epsilon}.");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var centered = scores - GroupStats.Mean(scores, groupIds);
        var advantages = scaling switch
        {
            RewardScaling.Group => centered / (GroupStats.Std(scores, groupIds) + epsilon),
            RewardScaling.Batch => centered / (scores.std() + epsilon),
            RewardScaling.None => centered,
            _ => throw new ArgumentOutOfRangeException(nameof(scaling), scaling, "Unknown reward scaling; use Group, Batch or None."),
        };
        return Broadcast(advantages, responseMask);
    }

    /// <summary>
    /// RLOO: A_i = s_i - (sum_group(s) - s_i) / (n - 1), the score minus the mean of the other n - 1 episodes of its
    /// group (n = group size).
    /// </summary>
    public static (Tensor Advantages, Tensor Returns) Rloo(Tensor scores, Tensor responseMask, Tensor groupIds)
    {
        CheckInputs(scores, responseMask, groupIds, "rloo");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (_, inverse, counts) = GroupStats.Index(groupIds.to(scores.device));
        var n = counts.to(scores.dtype).gather(0, inverse);
        var sums = GroupStats.Mean(scores, groupIds) * n;
        var advantages = scores - (sums - scores) / (n - 1);
        return Broadcast(advantages, responseMask);
    }

    /// <summary>
    /// REINFORCE++ with a baseline: subtract each score's group mean, spread it over the episode's response tokens,
    /// then whiten over every masked token of the batch (<see cref="MaskedStats.MaskedWhiten"/>: token-weighted mean
    /// and Bessel-corrected variance, + 1e-8 inside the square root).
    /// </summary>
    public static (Tensor Advantages, Tensor Returns) ReinforcePlusPlusBaseline(Tensor scores, Tensor responseMask, Tensor groupIds)
    {
        CheckInputs(scores, responseMask, groupIds, "reinforce_plus_plus_baseline");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var centered = scores - GroupStats.Mean(scores, groupIds);
        var perToken = centered.unsqueeze(1) * responseMask.to(scores.dtype);
        var advantages = MaskedStats.MaskedWhiten(perToken, responseMask);
        return (advantages.MoveToOuterDisposeScope(), advantages.clone().MoveToOuterDisposeScope());
    }

    private static (Tensor Advantages, Tensor Returns) Broadcast(Tensor perEpisode, Tensor responseMask)
    {
        var advantages = perEpisode.unsqueeze(1) * responseMask.to(perEpisode.dtype);
        return (advantages.MoveToOuterDisposeScope(), advantages.clone().MoveToOuterDisposeScope());
    }

    private static void CheckInputs(Tensor scores, Tensor responseMask, Tensor groupIds, string estimatorName)
    {
        GroupStats.CheckValues(scores, groupIds);
        TensorChecks.Rank(responseMask, nameof(responseMask), 2);
        if (responseMask.shape[0] != scores.shape[0])
            throw new ArgumentException($"responseMask has {responseMask.shape[0]} rows but scores has {scores.shape[0]} episodes; they must match.", nameof(responseMask));
        GroupStats.RequireAtLeastTwoPerGroup(groupIds, estimatorName);
    }
}
