namespace Ippo.MLNet.Core.Tokenization.HuggingFace;

/// <summary>
/// A ByteLevel pre-tokenizer: optionally puts a space before each piece that does not start with one and, with
/// use_regex, cuts it with GPT-2's pattern. The bytes themselves are spelled by the model step.
/// </summary>
internal sealed class ByteLevelStep : PreTokenizerStep
{
    /// <summary>GPT-2's pre-tokenizer pattern, the one ByteLevel uses when use_regex is true.</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    private static readonly SplitStep Gpt2Split = new(new CodePointRegex(Gpt2Pattern), SplitBehavior.Isolated);
    private readonly bool _addPrefixSpace;
    private readonly bool _useRegex;

    public ByteLevelStep(bool addPrefixSpace, bool useRegex)
    {
        _addPrefixSpace = addPrefixSpace;
        _useRegex = useRegex;
    }

    public override IEnumerable<string> Apply(string piece)
    {
        if (_addPrefixSpace && !piece.StartsWith(' ')) piece = " " + piece;
        return _useRegex ? Gpt2Split.Apply(piece) : new[] { piece };
    }
}
