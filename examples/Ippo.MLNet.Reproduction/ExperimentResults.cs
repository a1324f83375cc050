namespace Ippo.MLNet.Reproduction;

/// <summary>What <see cref="Experiment.Run"/> measured and where it wrote it.</summary>
/// <param name="Results">One row per method and seed.</param>
/// <param name="Iterations">Every per-iteration metric and held-out checkpoint.</param>
/// <param name="InfluenceSamples">Scores of the correct-answer episodes over I-PPO's iterations.</param>
/// <param name="Summary">Mean and standard deviation over seeds, one row per method.</param>
/// <param name="Files">Every file written, full paths.</param>
public sealed record ExperimentResults(
    IReadOnlyList<MethodResult> Results, IReadOnlyList<IterationRecord> Iterations,
    IReadOnlyList<InfluenceSample> InfluenceSamples, IReadOnlyList<SummaryRow> Summary, IReadOnlyList<string> Files);
