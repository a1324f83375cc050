namespace Ippo.MLNet.Core.Tokenization.HuggingFace;

/// <summary>
/// Finds added tokens written inline (<c>&lt;|im_start|&gt;user</c>): leftmost match first and, among the tokens that
/// start there, the longest, as the Rust library's matcher does; honours lstrip, rstrip and single_word.
/// </summary>
internal sealed class AddedTokenSplitter
{
    private readonly Dictionary<char, AddedToken[]> _byFirstChar;

    public AddedTokenSplitter(IEnumerable<AddedToken> tokens) =>
        _byFirstChar = tokens.Where(t => t.Content.Length > 0)
            .GroupBy(t => t.Content[0])
            .ToDictionary(g => g.Key, g => g.OrderByDescending(t => t.Content.Length).ToArray());

    /// <summary>The text cut into plain pieces (Token null) and added-token matches, in order, as (start, length); empty pieces dropped.</summary>
    public List<(int Start, int Length, AddedToken? Token)> Split(string text)
    {
        var pieces = new List<(int, int, AddedToken?)>();
        if (_byFirstChar.Count == 0)
        {
            if (text.Length > 0) pieces.Add((0, text.Length, null));
            return pieces;
        }
        int plainStart = 0, i = 0;
        while (i < text.Length)
        {
            var token = LongestAt(text, i);
            if (token is null)
            {
                i++;
                continue;
            }
            int start = i, end = i + token.Content.Length;
            if (token.LStrip) while (start > plainStart && char.IsWhiteSpace(text[start - 1])) start--;
            if (token.RStrip) while (end < text.Length && char.IsWhiteSpace(text[end])) end++;
            if (start > plainStart) pieces.Add((plainStart, start - plainStart, null));
            pieces.Add((start, end - start, token));
            plainStart = i = end;
        }
        if (plainStart < text.Length) pieces.Add((plainStart, text.Length - plainStart, null));
        return pieces;
    }

    private AddedToken? LongestAt(string text, int i)
    {
        if (!_byFirstChar.TryGetValue(text[i], out var candidates)) return null;
        foreach (var t in candidates)
        {
            if (i + t.Content.Length > text.Length || string.CompareOrdinal(text, i, t.Content, 0, t.Content.Length) != 0) continue;
            if (t.SingleWord && (IsWordChar(text, i - 1) || IsWordChar(text, i + t.Content.Length))) continue;
            return t;
        }
        return null;
    }

    private static bool IsWordChar(string text, int i) => i >= 0 && i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_');
}
