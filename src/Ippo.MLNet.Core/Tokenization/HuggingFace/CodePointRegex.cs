using System.Globalization;
using System.Text.RegularExpressions;

namespace Ippo.MLNet.Core.Tokenization.HuggingFace;

/// <summary>
/// A regular expression matched over Unicode code points, as the Rust tokenizers library (Oniguruma) matches, rather
/// than over UTF-16 units as .NET does. .NET sees a character outside the BMP (emoji, CJK extension B) as two surrogates
/// that are neither letters nor numbers, so <c>[^\r\n\p{L}\p{N}]?\p{L}+</c> would split "😀abc" where Hugging Face keeps
/// it whole. Each such character is matched as one stand-in BMP character of the same Unicode category, and the matches
/// are mapped back to the original text.
/// </summary>
internal sealed class CodePointRegex
{
    private readonly Regex _regex;

    public CodePointRegex(string pattern)
    {
        try
        {
            _regex = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(10));
        }
        catch (ArgumentException e)
        {
            throw new NotSupportedException($"The pre-tokenizer regex \"{pattern}\" is not a .NET regular expression: {e.Message}", e);
        }
        Pattern = pattern;
    }

    public string Pattern { get; }

    /// <summary>(offset, length) of every match in <paramref name="text"/>, in UTF-16 units of the original text.</summary>
    public IEnumerable<(int Offset, int Length)> Matches(string text)
    {
        if (!HasSurrogatePair(text))
        {
            foreach (Match m in _regex.Matches(text)) if (m.Length > 0) yield return (m.Index, m.Length);
            yield break;
        }
        var (standIn, originalIndex) = WithStandIns(text);
        foreach (Match m in _regex.Matches(standIn))
        {
            if (m.Length == 0) continue;
            int start = originalIndex[m.Index], end = originalIndex[m.Index + m.Length];
            yield return (start, end - start);
        }
    }

    private static bool HasSurrogatePair(string text)
    {
        for (int i = 0; i + 1 < text.Length; i++)
            if (char.IsSurrogatePair(text[i], text[i + 1])) return true;
        return false;
    }

    /// <summary>The text with each surrogate pair replaced by one stand-in, and each stand-in index's original index (one past the end included).</summary>
    private static (string StandIn, int[] OriginalIndex) WithStandIns(string text)
    {
        var chars = new List<char>(text.Length);
        var index = new List<int>(text.Length + 1);
        for (int i = 0; i < text.Length; i++)
        {
            index.Add(i);
            if (i + 1 < text.Length && char.IsSurrogatePair(text[i], text[i + 1]))
            {
                chars.Add(StandIn(CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(text[i], text[i + 1]))));
                i++;
            }
            else chars.Add(text[i]);
        }
        index.Add(text.Length);
        return (new string(chars.ToArray()), index.ToArray());
    }

    // One BMP character per category; none is whitespace, an apostrophe or an ASCII letter a pattern could name.
    private static char StandIn(UnicodeCategory category) => category switch
    {
        UnicodeCategory.UppercaseLetter => '\u03A9',
        UnicodeCategory.LowercaseLetter => '\u03C9',
        UnicodeCategory.TitlecaseLetter => '\u01C5',
        UnicodeCategory.ModifierLetter => '\u02B0',
        UnicodeCategory.OtherLetter => '\u4E00',
        UnicodeCategory.NonSpacingMark => '\u0300',
        UnicodeCategory.SpacingCombiningMark => '\u0903',
        UnicodeCategory.EnclosingMark => '\u20DD',
        UnicodeCategory.DecimalDigitNumber => '\u0660',
        UnicodeCategory.LetterNumber => '\u2160',
        UnicodeCategory.OtherNumber => '\u00B2',
        UnicodeCategory.SpaceSeparator => '\u3000',
        UnicodeCategory.Format => '\u00AD',
        UnicodeCategory.PrivateUse => '\uE000',
        UnicodeCategory.ConnectorPunctuation => '\u203F',
        UnicodeCategory.DashPunctuation => '\u2010',
        UnicodeCategory.OpenPunctuation => '\u2045',
        UnicodeCategory.ClosePunctuation => '\u2046',
        UnicodeCategory.InitialQuotePunctuation => '\u00AB',
        UnicodeCategory.FinalQuotePunctuation => '\u00BB',
        UnicodeCategory.OtherPunctuation => '\u00A1',
        UnicodeCategory.MathSymbol => '\u00AC',
        UnicodeCategory.CurrencySymbol => '\u00A2',
        UnicodeCategory.ModifierSymbol => '\u00A8',
        UnicodeCategory.OtherSymbol => '\u00A9',
        _ => '\u0378', // unassigned
    };
}
