namespace Ippo.MLNet.Core.Evaluation;

/// <summary>How <see cref="PolicyEvaluator"/> samples.</summary>
public sealed record EvaluationOptions
{
    /// <summary>Samples per prompt at <see cref="Temperature"/> (for accuracy, majority vote and pass@k). Default 4; range [1, 1024].</summary>
    public int SamplesPerPrompt { get; init; } = 4;

    /// <summary>k of pass@k. Default 4; range [1, SamplesPerPrompt].</summary>
    public int PassK { get; init; } = 4;

    /// <summary>Sampling temperature. Default 1 (greedy decoding hides unfaithful steps; see docs). Range (0, 10].</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Also decode greedily and report the greedy metrics. Default true.</summary>
    public bool IncludeGreedy { get; init; } = true;

    /// <summary>
    /// Most new tokens per completion. Default null: the room left in the model's context after each batch's longest
    /// prompt. Range [1, 65,536]; an explicit value that does not fit after a prompt is an error naming the context length.
    /// </summary>
    public int? MaxNewTokens { get; init; }

    /// <summary>Prompts per generation batch. Default 64; range [1, 65,536].</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Seed of sampling. Default 1234.</summary>
    public long Seed { get; init; } = 1234;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option out of range.</summary>
    public EvaluationOptions Validate()
    {
        if (SamplesPerPrompt is < 1 or > 1024) throw Out(nameof(SamplesPerPrompt), SamplesPerPrompt, "[1, 1024]");
        if (PassK < 1 || PassK > SamplesPerPrompt) throw Out(nameof(PassK), PassK, $"[1, SamplesPerPrompt = {SamplesPerPrompt}]");
        if (!(Temperature > 0 && Temperature <= 10)) throw Out(nameof(Temperature), Temperature, "(0, 10]");
        if (MaxNewTokens is < 1 or > 65_536) throw Out(nameof(MaxNewTokens), MaxNewTokens.Value, "[1, 65536]");
        if (BatchSize is < 1 or > 65_536) throw Out(nameof(BatchSize), BatchSize, "[1, 65536]");
        return this;
    }

    /// <summary>
    /// The new-token budget for prompts of at most <paramref name="longestPrompt"/> tokens under a context of
    /// <paramref name="contextLength"/>: <see cref="MaxNewTokens"/>, or all the room left when it is null.
    /// </summary>
    /// <exception cref="ArgumentException">No token fits, or an explicit <see cref="MaxNewTokens"/> does not fit.</exception>
    public int NewTokensFor(int longestPrompt, int contextLength) =>
        Generation.NewTokenBudget.Resolve(MaxNewTokens, "EvaluationOptions.MaxNewTokens", longestPrompt, contextLength);

    private static ArgumentOutOfRangeException Out(string name, object value, string range) =>
        new(name, value, $"EvaluationOptions.{name} must be in {range}; got {value}.");
}
