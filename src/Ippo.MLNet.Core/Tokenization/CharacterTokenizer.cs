using System.Buffers;
using Microsoft.ML.Tokenizers;

namespace Ippo.MLNet.Core.Tokenization;

/// <summary>
/// A Microsoft.ML.Tokenizers tokenizer with one id per character of a fixed alphabet, after a few special tokens.
/// Any character outside the alphabet is an error naming it and its position, or, when an unknown token is given, that
/// token's id; never silently dropped.
/// </summary>
public sealed class CharacterTokenizer : Tokenizer
{
    private readonly Dictionary<char, int> _ids;
    private readonly string[] _pieces;
    private readonly int _specialCount;
    private readonly int? _unknownId;

    /// <summary>
    /// Special tokens take ids 0..n-1 in the given order; the characters of <paramref name="alphabet"/> follow. When
    /// <paramref name="unknownToken"/> is given it must be one of <paramref name="specialTokens"/>, and characters outside
    /// the alphabet encode to its id instead of throwing.
    /// </summary>
    public CharacterTokenizer(IReadOnlyList<string> specialTokens, string alphabet, string? unknownToken = null)
    {
        ArgumentNullException.ThrowIfNull(specialTokens);
        ArgumentException.ThrowIfNullOrEmpty(alphabet);
        if (alphabet.Distinct().Count() != alphabet.Length)
            throw new ArgumentException($"The alphabet \"{alphabet}\" repeats a character.", nameof(alphabet));
        _specialCount = specialTokens.Count;
        _pieces = specialTokens.Concat(alphabet.Select(c => c.ToString())).ToArray();
        _ids = alphabet.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i + _specialCount);
        Alphabet = alphabet;
        if (unknownToken is not null)
        {
            int index = specialTokens.ToList().IndexOf(unknownToken);
            if (index < 0)
                throw new ArgumentException($"The unknown token \"{unknownToken}\" is not one of the special tokens ({string.Join(", ", specialTokens)}).", nameof(unknownToken));
            _unknownId = index;
        }
    }

    /// <summary>The characters this tokenizer can encode, in id order.</summary>
    public string Alphabet { get; }

    /// <summary>Number of ids (special tokens plus characters).</summary>
    public int VocabSize => _pieces.Length;

    /// <summary>The text of <paramref name="id"/>: a special token's name ("&lt;eos&gt;") or a character.</summary>
    public string TokenText(int id) => id >= 0 && id < _pieces.Length ? _pieces[id]
        : throw new ArgumentOutOfRangeException(nameof(id), id, $"Token id {id} is outside the vocabulary [0, {_pieces.Length}).");

    /// <summary>The position and character of the first character outside the alphabet, or null when all are known.</summary>
    public (int Position, char Character)? FirstUnknown(ReadOnlySpan<char> text)
    {
        for (int i = 0; i < text.Length; i++)
            if (!_ids.ContainsKey(text[i])) return (i, text[i]);
        return null;
    }

    /// <inheritdoc />
    protected override EncodeResults<EncodedToken> EncodeToTokens(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        var span = text is null ? textSpan : text.AsSpan();
        if (_unknownId is null && FirstUnknown(span) is { } bad)
            throw new ArgumentException(
                $"Character '{bad.Character}' (U+{(int)bad.Character:X4}) at position {bad.Position} is not in the vocabulary; allowed characters: \"{Alphabet}\". To map such characters to a token instead, create the tokenizer with an unknown token (PolicyTokenizer.FromCharacters(alphabet, unknownToken: \"<unk>\")).",
                nameof(text));
        int count = settings.MaxTokenCount > 0 ? Math.Min(settings.MaxTokenCount, span.Length) : span.Length;
        var tokens = new List<EncodedToken>(count);
        for (int i = 0; i < count; i++)
            tokens.Add(new EncodedToken(_ids.TryGetValue(span[i], out var id) ? id : _unknownId!.Value, span[i].ToString(), new Range(i, i + 1)));
        return new EncodeResults<EncodedToken> { Tokens = tokens, CharsConsumed = count, NormalizedText = null };
    }

    /// <inheritdoc />
    public override OperationStatus Decode(IEnumerable<int> ids, Span<char> destination, out int idsConsumed, out int charsWritten)
    {
        idsConsumed = 0;
        charsWritten = 0;
        foreach (var id in ids)
        {
            if (id < 0 || id >= _pieces.Length) return OperationStatus.InvalidData;
            if (id >= _specialCount)
            {
                if (charsWritten >= destination.Length) return OperationStatus.DestinationTooSmall;
                destination[charsWritten++] = _pieces[id][0];
            }
            idsConsumed++;
        }
        return OperationStatus.Done;
    }
}
