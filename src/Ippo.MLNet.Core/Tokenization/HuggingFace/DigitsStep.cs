namespace Ippo.MLNet.Core.Tokenization.HuggingFace;

/// <summary>A Digits pre-tokenizer: every digit alone (individual_digits) or each run of digits as one piece.</summary>
internal sealed class DigitsStep : PreTokenizerStep
{
    private readonly SplitStep _split;

    public DigitsStep(bool individualDigits) =>
        _split = new SplitStep(new CodePointRegex(individualDigits ? @"\p{N}" : @"\p{N}+"), SplitBehavior.Isolated);

    public override IEnumerable<string> Apply(string piece) => _split.Apply(piece);
}
