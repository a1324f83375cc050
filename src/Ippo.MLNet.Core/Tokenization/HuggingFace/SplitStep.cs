namespace Ippo.MLNet.Core.Tokenization.HuggingFace;

/// <summary>How a Split pre-tokenizer treats its matches (Hugging Face's SplitDelimiterBehavior).</summary>
internal enum SplitBehavior { Isolated, Removed, MergedWithPrevious, MergedWithNext, Contiguous }

/// <summary>A Split (or ByteLevel with use_regex) pre-tokenizer: cuts at the matches of a pattern.</summary>
internal sealed class SplitStep : PreTokenizerStep
{
    private readonly CodePointRegex _regex;
    private readonly SplitBehavior _behavior;

    public SplitStep(CodePointRegex regex, SplitBehavior behavior)
    {
        _regex = regex;
        _behavior = behavior;
    }

    public override IEnumerable<string> Apply(string piece)
    {
        // Pieces as (start, end, isMatch): the gaps between matches are pieces too.
        var parts = new List<(int Start, int End, bool Match)>();
        int last = 0;
        foreach (var (offset, length) in _regex.Matches(piece))
        {
            if (offset > last) parts.Add((last, offset, false));
            parts.Add((offset, offset + length, true));
            last = offset + length;
        }
        if (last < piece.Length) parts.Add((last, piece.Length, false));

        var merged = new List<(int Start, int End)>();
        for (int i = 0; i < parts.Count; i++)
        {
            var (start, end, match) = parts[i];
            switch (_behavior)
            {
                case SplitBehavior.Removed when match:
                    continue;
                case SplitBehavior.MergedWithPrevious when match && merged.Count > 0 && !parts[i - 1].Match:
                case SplitBehavior.Contiguous when match && i > 0 && parts[i - 1].Match:
                    merged[^1] = (merged[^1].Start, end);
                    continue;
                case SplitBehavior.MergedWithNext when match && i + 1 < parts.Count && !parts[i + 1].Match:
                    parts[i + 1] = (start, parts[i + 1].End, false);
                    continue;
            }
            merged.Add((start, end));
        }
        return merged.Select(p => piece[p.Start..p.End]);
    }
}
