using Ippo.MLNet.Core.Evaluation;
using Ippo.MLNet.Core.Ppo;

namespace Ippo.MLNet.Core.Influence;

/// <summary>One episode of the last filtered buffer: its score, whether it was kept, its weight, and its checker label when a judge is set.</summary>
public sealed record ScoredEpisode(Episode Episode, double Score, bool Kept, double Weight, TraceLabel? Label)
{
    /// <summary>
    /// Whether the judge's extracted answer equals its true answer (as <see cref="PolicyEvaluator"/> counts accuracy);
    /// null when the filter has no judge. Independent of <see cref="Label"/>, which a judge without a step checker leaves null.
    /// </summary>
    public bool? Correct { get; init; }
}
