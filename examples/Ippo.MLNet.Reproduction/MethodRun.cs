namespace Ippo.MLNet.Reproduction;

/// <summary>Everything one method produced on one seed.</summary>
/// <param name="Result">Its row of results.csv.</param>
/// <param name="Iterations">Its rows of iterations.csv.</param>
/// <param name="InfluenceSamples">Scores of its correct-answer episodes (I-PPO only; empty otherwise).</param>
internal sealed record MethodRun(MethodResult Result, IReadOnlyList<IterationRecord> Iterations, IReadOnlyList<InfluenceSample> InfluenceSamples);
