using Ippo.MLNet.Core.Influence;

namespace Ippo.MLNet.Core.Ppo;

/// <summary>What a filter decided about a rollout buffer: the rows the update uses and their loss weights.</summary>
/// <param name="Kept">Rows of the buffer to train on, ascending.</param>
/// <param name="Weights">Loss weight of each kept row (same order as <paramref name="Kept"/>), or null for all 1.</param>
/// <param name="Metrics">Extra metrics to log for this iteration.</param>
public sealed record EpisodeSelection(IReadOnlyList<int> Kept, IReadOnlyList<float>? Weights, IReadOnlyDictionary<string, double> Metrics)
{
    /// <summary>Keep every episode with weight 1.</summary>
    public static EpisodeSelection All(int count) =>
        new(Enumerable.Range(0, count).ToArray(), null, new Dictionary<string, double>());

    /// <summary>
    /// The filter's differentiable pass over the whole buffer at the current parameters, when the update may reuse it
    /// for its first minibatch step; the trainer takes ownership and disposes it. Null: the update runs as usual.
    /// </summary>
    public EpisodeForward? ScoringPass { get; init; }
}
