namespace Ippo.MLNet.Core.Ppo;

/// <summary>What <see cref="PpoTrainer.Train"/> did.</summary>
/// <param name="History">Metrics of every iteration run.</param>
/// <param name="StopReason">Why the run ended before its planned iterations (cancellation, early stop), or null.</param>
public sealed record PpoRunResult(IReadOnlyList<PpoIterationMetrics> History, string? StopReason);
