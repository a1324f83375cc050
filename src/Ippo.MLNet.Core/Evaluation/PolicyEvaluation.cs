namespace Ippo.MLNet.Core.Evaluation;

/// <summary>The metrics of an evaluation and every completion they were computed from.</summary>
/// <param name="Metrics">The aggregate figures.</param>
/// <param name="Completions">Every judged completion, samples first then greedy, prompt by prompt.</param>
public sealed record PolicyEvaluation(PolicyMetrics Metrics, IReadOnlyList<EvaluatedCompletion> Completions);
