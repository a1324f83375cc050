namespace Ippo.MLNet.Core.Tokenization.HuggingFace;

/// <summary>One pre-tokenizer of a tokenizer.json: cuts each piece of text into smaller pieces.</summary>
internal abstract class PreTokenizerStep
{
    /// <summary>The pieces of <paramref name="piece"/>, in order; a piece may differ from its source (a prefix space).</summary>
    public abstract IEnumerable<string> Apply(string piece);
}
