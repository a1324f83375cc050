namespace Ippo.MLNet.Core.Evaluation;

/// <summary>
/// Quality of a policy on held-out prompts. Sampled figures use <see cref="EvaluationOptions.Temperature"/> and
/// average over every sample (the expected one-sample figure); greedy figures are NaN when greedy decoding was off,
/// and step figures are NaN for a task without a step checker.
/// </summary>
public sealed record PolicyMetrics
{
    /// <summary>Prompts evaluated.</summary>
    public int Prompts { get; init; }

    /// <summary>Fraction of sampled completions with the right final answer (exact match).</summary>
    public double Accuracy { get; init; }

    /// <summary>Fraction of sampled completions that are right and whose every step checks.</summary>
    public double FaithfulAccuracy { get; init; }

    /// <summary>Among sampled completions with the right answer, the fraction with a wrong or skipped step.</summary>
    public double UnfaithfulRate { get; init; }

    /// <summary>Fraction of prompts whose most frequent sampled answer is right (ties broken by first occurrence).</summary>
    public double MajorityVote { get; init; }

    /// <summary>Unbiased pass@k over the samples of each prompt.</summary>
    public double PassAtK { get; init; }

    /// <summary>Fraction of sampled completions that no checker or extractor can read.</summary>
    public double MalformedRate { get; init; }

    /// <summary>Exact match of greedy completions.</summary>
    public double GreedyAccuracy { get; init; } = double.NaN;

    /// <summary>Faithful accuracy of greedy completions.</summary>
    public double GreedyFaithfulAccuracy { get; init; } = double.NaN;

    /// <summary>Unfaithful rate among right greedy completions.</summary>
    public double GreedyUnfaithfulRate { get; init; } = double.NaN;
}
