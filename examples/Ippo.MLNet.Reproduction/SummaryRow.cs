namespace Ippo.MLNet.Reproduction;

/// <summary>A method's results over seeds: mean and standard deviation of each metric.</summary>
/// <param name="Method">The method.</param>
/// <param name="Seeds">Seeds it ran on.</param>
/// <param name="Columns">Metric name to (mean, sample standard deviation; 0 for one seed).</param>
/// <param name="IterationsToPpoFinal">
/// Mean over the seeds that got there of the first iteration whose held-out checkpoint accuracy reached PPO's final
/// checkpoint accuracy of the same seed (0 when the warm start already did); null when none did or PPO did not run.
/// </param>
/// <param name="ReachedPpoFinal">Seeds on which the method reached PPO's final checkpoint accuracy.</param>
/// <param name="PpoRan">Whether PPO ran (on any seed), so that the comparison means something.</param>
public sealed record SummaryRow(
    ExperimentMethod Method, int Seeds, IReadOnlyDictionary<string, (double Mean, double Std)> Columns,
    double? IterationsToPpoFinal, int ReachedPpoFinal, bool PpoRan);
