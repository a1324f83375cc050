using Ippo.MLNet.Core.Evaluation;

namespace Ippo.MLNet.Reproduction;

/// <summary>One row of results.csv: a method's final policy evaluated on the held-out prompts of a seed.</summary>
/// <param name="Method">The method.</param>
/// <param name="Seed">The seed.</param>
/// <param name="Metrics">Held-out metrics (sampled at temperature 1, plus greedy).</param>
/// <param name="Iterations">RL iterations actually run (0 for SFT; fewer than planned after an early stop).</param>
/// <param name="WallSeconds">Seconds of RL training, held-out evaluations excluded (0 for SFT).</param>
/// <param name="StopReason">Why the run ended early, or null.</param>
public sealed record MethodResult(ExperimentMethod Method, int Seed, PolicyMetrics Metrics, int Iterations, double WallSeconds, string? StopReason);
