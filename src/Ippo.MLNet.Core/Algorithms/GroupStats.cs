using Ippo.MLNet.Core.Ppo;
using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Algorithms;

/// <summary>
/// Per-group statistics of one number per episode. Episodes of a group share a group id (any integers, in any order,
/// not necessarily contiguous); every statistic comes back broadcast to the episodes, shape [batch].
/// </summary>
public static class GroupStats
{
    /// <summary>
    /// The groups of <paramref name="groupIds"/> [batch] (integer): Inverse [batch] int64 maps each episode to its
    /// group's position 0..groups-1 in the sorted distinct ids Ids [groups], and Counts [groups] int64 is each group's size.
    /// </summary>
    public static (Tensor Ids, Tensor Inverse, Tensor Counts) Index(Tensor groupIds)
    {
        CheckIds(groupIds, null);
        using var scope = NewDisposeScope();
        var (ids, inverse, counts) = groupIds.to(ScalarType.Int64).unique(sorted: true, return_inverse: true, return_counts: true);
        return (ids.MoveToOuterDisposeScope(), inverse!.MoveToOuterDisposeScope(), counts!.MoveToOuterDisposeScope());
    }

    /// <summary>Each episode's group mean: values [batch] (floating), groupIds [batch] -> [batch].</summary>
    public static Tensor Mean(Tensor values, Tensor groupIds)
    {
        CheckValues(values, groupIds);
        using var scope = NewDisposeScope();
        var (_, inverse, counts) = Index(groupIds.to(values.device));
        var sums = zeros(counts.shape[0], dtype: values.dtype, device: values.device).scatter_add(0, inverse, values);
        return (sums / counts.to(values.dtype)).gather(0, inverse).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Each episode's group standard deviation, Bessel-corrected (divides by n - 1, as torch.std): values [batch],
    /// groupIds [batch] -> [batch]. A group of one has standard deviation 0, as <see cref="MaskedStats.MaskedVariance"/>.
    /// </summary>
    public static Tensor Std(Tensor values, Tensor groupIds)
    {
        CheckValues(values, groupIds);
        using var scope = NewDisposeScope();
        var (_, inverse, counts) = Index(groupIds.to(values.device));
        var centered = values - Mean(values, groupIds);
        var squares = zeros(counts.shape[0], dtype: values.dtype, device: values.device).scatter_add(0, inverse, centered.square());
        var variance = squares / (counts - 1).clamp_min(1).to(values.dtype);
        return variance.sqrt().gather(0, inverse).MoveToOuterDisposeScope();
    }

    /// <summary>Each episode's group range, max - min: values [batch], groupIds [batch] -> [batch]; 0 exactly when the group agrees.</summary>
    public static Tensor Range(Tensor values, Tensor groupIds)
    {
        CheckValues(values, groupIds);
        using var scope = NewDisposeScope();
        var (_, inverse, counts) = Index(groupIds.to(values.device));
        // Order by (group, value rank), unique keys: each group becomes one ascending run, its min first and max last.
        long batch = values.shape[0];
        var byValue = values.argsort();
        var rank = zeros_like(byValue).scatter(0, byValue, arange(batch, dtype: ScalarType.Int64, device: values.device));
        var sorted = values.index_select(0, (inverse * batch + rank).argsort());
        var ends = counts.cumsum(0) - 1;
        var max = sorted.index_select(0, ends);
        var min = sorted.index_select(0, ends - counts + 1);
        return (max - min).gather(0, inverse).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Throws when a group has fewer than two episodes, naming the estimator, the option that sets the group size and
    /// the offending group id: a baseline built from the group needs at least one other member.
    /// </summary>
    public static void RequireAtLeastTwoPerGroup(Tensor groupIds, string estimatorName)
    {
        using var scope = NewDisposeScope();
        var (ids, _, counts) = Index(groupIds);
        long smallest = counts.argmin().item<long>();
        if (counts[smallest].item<long>() < 2)
            throw new ArgumentException(
                $"The '{estimatorName}' advantage estimator needs at least 2 episodes per group (SamplesPerPrompt >= 2); group id {ids[smallest].item<long>()} has {counts[smallest].item<long>()}.",
                nameof(groupIds));
    }

    internal static void CheckValues(Tensor values, Tensor groupIds)
    {
        TensorChecks.Rank(values, nameof(values), 1);
        if (!values.is_floating_point())
            throw new ArgumentException($"values must be a floating-point tensor; it is {values.dtype}.", nameof(values));
        CheckIds(groupIds, values.shape[0]);
    }

    private static void CheckIds(Tensor groupIds, long? batch)
    {
        if (groupIds.dim() != 1 || groupIds.shape[0] < 1 || (batch is { } b && groupIds.shape[0] != b))
            throw new ArgumentException(
                $"groupIds must have shape [{(batch is { } n ? n.ToString() : "batch")}] with at least one episode; it has [{string.Join(", ", groupIds.shape)}].", nameof(groupIds));
        if (groupIds.is_floating_point() || groupIds.dtype == ScalarType.Bool || groupIds.is_complex())
            throw new ArgumentException($"groupIds must be an integer tensor; it is {groupIds.dtype}.", nameof(groupIds));
    }
}
