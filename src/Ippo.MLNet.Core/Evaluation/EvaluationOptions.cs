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

    /// <summary>Most new tokens per completion. Default 32; range [1, 65,536].</summary>
    public int MaxNewTokens { get; init; } = 32;

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
        if (MaxNewTokens is < 1 or > 65_536) throw Out(nameof(MaxNewTokens), MaxNewTokens, "[1, 65536]");
        if (BatchSize is < 1 or > 65_536) throw Out(nameof(BatchSize), BatchSize, "[1, 65536]");
        return this;
    }

    private static ArgumentOutOfRangeException Out(string name, object value, string range) =>
        new(name, value, $"EvaluationOptions.{name} must be in {range}; got {value}.");
}
