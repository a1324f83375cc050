namespace Ippo.MLNet;

/// <summary>The columns a policy transformer adds (names set by the options).</summary>
public sealed class CompletionRow
{
    /// <summary>The generated completion text, without EOS.</summary>
    public string Completion { get; set; } = "";

    /// <summary>The generated token ids, EOS included when emitted.</summary>
    public int[] CompletionTokens { get; set; } = Array.Empty<int>();

    /// <summary>Sum of the log-probs of the generated tokens under the policy.</summary>
    public float CompletionLogProb { get; set; }
}
