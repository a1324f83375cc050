using System.Buffers;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace Ippo.MLNet.Core.Tokenization.HuggingFace;

/// <summary>
/// A byte-level BPE tokenizer as Hugging Face's tokenizers library runs one from a tokenizer.json (GPT-2, SmolLM,
/// Qwen2/2.5/3, Llama 3): added tokens matched inline first, then the normalizer, the pre-tokenizers, the byte-level
/// spelling and the merges. The merges are Microsoft.ML.Tokenizers' <see cref="BpeTokenizer"/>; this class adds what it
/// lacks for tokenizer.json files (code-point regexes, added-token options, ignore_merges) and refuses, naming it, any
/// character whose bytes are not in the vocabulary instead of dropping it.
/// </summary>
internal sealed class ByteLevelBpeTokenizer : Tokenizer
{
    private readonly BpeTokenizer _bpe;
    private readonly Dictionary<string, int> _vocab;
    private readonly HashSet<char> _symbols;
    private readonly Dictionary<int, string> _tokenOfId;
    private readonly Dictionary<int, AddedToken> _added;
    private readonly AddedTokenSplitter _rawTokens;
    private readonly AddedTokenSplitter _normalizedTokens;
    private readonly Func<string, string>? _normalize;
    private readonly IReadOnlyList<PreTokenizerStep> _steps;
    private readonly bool _ignoreMerges;
    private readonly int? _unknownId;
    private readonly bool _fuseUnknown;

    public ByteLevelBpeTokenizer(Dictionary<string, int> vocab, IReadOnlyList<string> merges, IReadOnlyList<AddedToken> added,
        Func<string, string>? normalize, IReadOnlyList<PreTokenizerStep> steps, bool ignoreMerges, int? unknownId, bool fuseUnknown)
    {
        _vocab = vocab;
        _symbols = vocab.Keys.Where(k => k.Length == 1).Select(k => k[0]).ToHashSet();
        _bpe = BpeTokenizer.Create(new BpeOptions(vocab) { Merges = merges, ByteLevel = false });
        _tokenOfId = new Dictionary<int, string>();
        foreach (var (token, id) in vocab) _tokenOfId[id] = token;
        _added = new Dictionary<int, AddedToken>();
        foreach (var t in added)
        {
            _added[t.Id] = t;
            _tokenOfId[t.Id] = t.Content;
        }
        _rawTokens = new AddedTokenSplitter(added.Where(t => !t.Normalized));
        _normalizedTokens = new AddedTokenSplitter(added.Where(t => t.Normalized));
        _normalize = normalize;
        _steps = steps;
        _ignoreMerges = ignoreMerges;
        _unknownId = unknownId;
        _fuseUnknown = fuseUnknown;
        VocabSize = _tokenOfId.Keys.Max() + 1;
        AddedTokens = added;
    }

    /// <summary>One past the largest id of the vocabulary and the added tokens.</summary>
    public int VocabSize { get; }

    /// <summary>The added tokens, matched inline.</summary>
    public IReadOnlyList<AddedToken> AddedTokens { get; }

    /// <summary>The id of a vocabulary or added token's text, or null.</summary>
    public int? IdOf(string token)
    {
        foreach (var t in AddedTokens) if (t.Content == token) return t.Id;
        return _vocab.TryGetValue(token, out var id) ? id : null;
    }

    /// <summary>The ids of <paramref name="text"/>.</summary>
    public List<int> Encode(string text)
    {
        var ids = new List<int>();
        foreach (var (start, length, token) in _rawTokens.Split(text))
        {
            if (token is not null)
            {
                ids.Add(token.Id);
                continue;
            }
            var piece = text.Substring(start, length);
            var normalized = _normalize is null ? piece : _normalize(piece);
            foreach (var (nStart, nLength, nToken) in _normalizedTokens.Split(normalized))
            {
                if (nToken is not null) ids.Add(nToken.Id);
                else EncodePlain(normalized.Substring(nStart, nLength), text, _normalize is null ? start + nStart : start, ids);
            }
        }
        return ids;
    }

    private void EncodePlain(string plain, string original, int offset, List<int> ids)
    {
        IEnumerable<string> words = new[] { plain };
        foreach (var step in _steps) words = words.SelectMany(step.Apply).ToList();
        foreach (var word in words)
        {
            if (word.Length == 0) continue;
            var spelled = ByteLevelAlphabet.Spell(word);
            if (_ignoreMerges && _vocab.TryGetValue(spelled, out var whole))
            {
                ids.Add(whole);
                continue;
            }
            // Runs of known symbols go through the merges; a symbol outside the vocabulary is an error or the unknown id.
            int i = 0;
            while (i < spelled.Length)
            {
                int j = i;
                while (j < spelled.Length && _symbols.Contains(spelled[j])) j++;
                if (j > i) ids.AddRange(_bpe.EncodeToIds(spelled[i..j], considerPreTokenization: false, considerNormalization: false));
                if (j == spelled.Length) break;
                if (_unknownId is not { } unknown) throw UnknownCharacter(word, j, original, offset);
                ids.Add(unknown);
                j++;
                if (_fuseUnknown) while (j < spelled.Length && !_symbols.Contains(spelled[j])) j++;
                i = j;
            }
        }
    }

    /// <summary>An error naming the character whose byte <paramref name="byteIndex"/> of <paramref name="word"/> has no symbol, and its position.</summary>
    private static ArgumentException UnknownCharacter(string word, int byteIndex, string original, int pieceStart)
    {
        int bytes = 0, charIndex = 0;
        while (charIndex < word.Length)
        {
            int width = char.IsSurrogatePair(word, charIndex) ? 2 : 1;
            int n = Encoding.UTF8.GetByteCount(word.AsSpan(charIndex, width));
            if (bytes + n > byteIndex) break;
            bytes += n;
            charIndex += width;
        }
        var character = char.IsSurrogatePair(word, charIndex) ? word.Substring(charIndex, 2) : word[charIndex].ToString();
        // Earlier occurrences in this piece would have failed first, so the first one from the piece's start is this one.
        int position = original.IndexOf(character, Math.Min(pieceStart, original.Length), StringComparison.Ordinal);
        if (position < 0) position = pieceStart;
        return new ArgumentException(
            $"Character '{character}' (U+{char.ConvertToUtf32(character, 0):X4}) at position {position} has a byte (0x{Encoding.UTF8.GetBytes(character)[byteIndex - bytes]:X2}) " +
            "that is not in the tokenizer's vocabulary; give an unknown token to map such characters to it.", "text");
    }

    /// <summary>Text of <paramref name="ids"/>, optionally without the special added tokens; invalid UTF-8 becomes U+FFFD.</summary>
    public string Decode(IEnumerable<int> ids, bool skipSpecial)
    {
        var bytes = new List<byte>();
        foreach (var id in ids)
        {
            if (_added.TryGetValue(id, out var added) && added.Special && skipSpecial) continue;
            if (!_tokenOfId.TryGetValue(id, out var token))
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"Token id {id} is not in the vocabulary.");
            ByteLevelAlphabet.AppendBytes(token, bytes);
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    /// <inheritdoc />
    protected override EncodeResults<EncodedToken> EncodeToTokens(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        var ids = Encode(text ?? textSpan.ToString());
        if (settings.MaxTokenCount > 0 && ids.Count > settings.MaxTokenCount) ids = ids.GetRange(0, settings.MaxTokenCount);
        var tokens = ids.Select(id => new EncodedToken(id, _tokenOfId[id], default)).ToList();
        return new EncodeResults<EncodedToken> { Tokens = tokens, CharsConsumed = (text ?? textSpan.ToString()).Length, NormalizedText = null };
    }

    /// <inheritdoc />
    public override OperationStatus Decode(IEnumerable<int> ids, Span<char> destination, out int idsConsumed, out int charsWritten)
    {
        var list = ids.ToList();
        var text = Decode(list, skipSpecial: false);
        idsConsumed = 0;
        charsWritten = 0;
        if (text.Length > destination.Length) return OperationStatus.DestinationTooSmall;
        text.AsSpan().CopyTo(destination);
        idsConsumed = list.Count;
        charsWritten = text.Length;
        return OperationStatus.Done;
    }
}
