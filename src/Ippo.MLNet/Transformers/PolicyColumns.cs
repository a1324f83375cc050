namespace Ippo.MLNet;

/// <summary>The names of the columns a <see cref="PolicyTransformer"/> reads and writes.</summary>
public sealed record PolicyColumns
{
    /// <summary>The text column holding prompts. Default "Prompt".</summary>
    public string Prompt { get; init; } = "Prompt";

    /// <summary>The output text column. Default "Completion".</summary>
    public string Completion { get; init; } = "Completion";

    /// <summary>The output token-id vector column (Int32). Default "CompletionTokens".</summary>
    public string CompletionTokens { get; init; } = "CompletionTokens";

    /// <summary>The output sum of token log-probs (Single). Default "CompletionLogProb".</summary>
    public string CompletionLogProb { get; init; } = "CompletionLogProb";
}
