using Ippo.MLNet.Core.Evaluation;
using Ippo.MLNet.Core.Training;

namespace Ippo.MLNet.Core.Ppo;

/// <summary>
/// Evaluation of the policy on held-out prompts during training (<see cref="PpoOptions.Evaluation"/>): after every
/// <see cref="Every"/>-th iteration (and the last) the trainer runs <see cref="PolicyEvaluator"/> and adds its figures
/// to that iteration's metrics under <see cref="EvalMetricNames"/>, so they reach the history, TensorBoard and CSV.
/// Evaluation draws from its own seeded generator: training draws exactly what it would without it.
/// </summary>
public sealed record PeriodicEvaluationOptions
{
    /// <summary>Held-out prompts (with reference answers where the judge needs them). Required, non-empty.</summary>
    public IReadOnlyList<PromptExample>? Prompts { get; init; }

    /// <summary>Reads and checks answers. Required.</summary>
    public ITaskJudge? Judge { get; init; }

    /// <summary>Evaluate after every this many iterations, and after the last one. Default 10; range [1, 1,000,000].</summary>
    public int Every { get; init; } = 10;

    /// <summary>
    /// How to sample: default one sample per prompt at temperature 1 plus the greedy completion, seed 1234, and
    /// <see cref="EvaluationOptions.MaxNewTokens"/> replaced by <see cref="PpoOptions.MaxNewTokens"/> when left null
    /// (both null: the room the model's context leaves after each evaluation batch's longest prompt). Default: <see cref="EvaluationOptions"/> with SamplesPerPrompt = PassK = 1.
    /// </summary>
    public EvaluationOptions Sampling { get; init; } = new() { SamplesPerPrompt = 1, PassK = 1 };

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> or <see cref="ArgumentException"/> naming the first bad option, prefixed by <paramref name="owner"/>.</summary>
    public PeriodicEvaluationOptions Validate(string owner = "PpoOptions.Evaluation")
    {
        if (Prompts is null || Prompts.Count == 0)
            throw new ArgumentException($"{owner}.Prompts must hold at least one held-out prompt.", nameof(Prompts));
        if (Judge is null) throw new ArgumentException($"{owner}.Judge is required: it reads and checks the answers.", nameof(Judge));
        if (Every is < 1 or > 1_000_000)
            throw new ArgumentOutOfRangeException(nameof(Every), Every, $"{owner}.Every must be in [1, 1000000]; got {Every}.");
        (Sampling ?? throw new ArgumentNullException(nameof(Sampling), $"{owner}.Sampling must not be null.")).Validate();
        return this;
    }

    /// <summary>Whether iteration <paramref name="iteration"/> (1-based) of a run of <paramref name="iterations"/> is evaluated.</summary>
    public bool IsDue(int iteration, int iterations) => iteration % Every == 0 || iteration == iterations;
}
