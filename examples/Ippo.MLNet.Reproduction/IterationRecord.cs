namespace Ippo.MLNet.Reproduction;

/// <summary>One row of iterations.csv: a per-iteration training metric, or a held-out checkpoint (metric names "heldout/...").</summary>
/// <param name="Method">The method.</param>
/// <param name="Seed">The seed.</param>
/// <param name="Iteration">1-based iteration; 0 is the warm start.</param>
/// <param name="Metric">Metric name (the trainer's <c>MetricNames</c>, or <see cref="HeldOutMetrics"/>).</param>
/// <param name="Value">The value (NaN where the iteration had none).</param>
public sealed record IterationRecord(ExperimentMethod Method, int Seed, int Iteration, string Metric, double Value);
