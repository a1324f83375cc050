namespace Ippo.MLNet.Core.Generation;

/// <summary>How <see cref="TextGenerator"/> decodes. Validated by <see cref="Validate"/> before any work.</summary>
public sealed record GenerationOptions
{
    /// <summary>Most tokens generated per prompt, stop token included. Default 32; range [1, context length - prompt length].</summary>
    public int MaxNewTokens { get; init; } = 32;

    /// <summary>Softmax temperature. 0 means greedy decoding. Default 1.0; range [0, 100].</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Sample only among the k most likely tokens; 0 turns it off. Default 0; range [0, vocab size].</summary>
    public int TopK { get; init; }

    /// <summary>Nucleus sampling: the smallest set of tokens whose probability reaches p. Default 1 (off); range (0, 1].</summary>
    public double TopP { get; init; } = 1.0;

    /// <summary>Token ids that end a row (besides the generator's EOS). Default none.</summary>
    public IReadOnlyList<int> StopTokenIds { get; init; } = Array.Empty<int>();

    /// <summary>Reuse keys and values of earlier positions (true) or recompute the whole sequence each step. Default true.</summary>
    public bool UseKvCache { get; init; } = true;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option out of range.</summary>
    public GenerationOptions Validate()
    {
        if (MaxNewTokens <= 0)
            throw new ArgumentOutOfRangeException(nameof(MaxNewTokens), MaxNewTokens, "GenerationOptions.MaxNewTokens must be at least 1.");
        if (double.IsNaN(Temperature) || Temperature < 0 || Temperature > 100)
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "GenerationOptions.Temperature must be in [0, 100] (0 = greedy).");
        if (TopK < 0)
            throw new ArgumentOutOfRangeException(nameof(TopK), TopK, "GenerationOptions.TopK must be >= 0 (0 = off).");
        if (double.IsNaN(TopP) || TopP <= 0 || TopP > 1)
            throw new ArgumentOutOfRangeException(nameof(TopP), TopP, "GenerationOptions.TopP must be in (0, 1].");
        return this;
    }
}
