using System.Text;
using System.Text.Json;
using Microsoft.ML.Tokenizers;
using Ippo.MLNet.Core.Tokenization.Chat;
using Ippo.MLNet.Core.Tokenization.HuggingFace;

namespace Ippo.MLNet.Core.Tokenization;

public sealed partial class PolicyTokenizer
{
    /// <summary>Hugging Face's tokenizer file name.</summary>
    public const string TokenizerJsonFile = "tokenizer.json";

    /// <summary>SentencePiece's model file name in Hugging Face folders (Llama 2, Mistral).</summary>
    public const string SentencePieceFile = "tokenizer.model";

    // Names tried, in order, when a lone tokenizer.json has no tokenizer_config.json to name its EOS.
    private static readonly string[] KnownEosTokens = { "<|endoftext|>", "<|end_of_text|>", "</s>", "<|im_end|>", "<|eot_id|>", "<eos>" };

    /// <summary>
    /// A GPT-2-style byte-level BPE from a vocab.json and a merges.txt (Hugging Face layout). Pad, BOS and EOS are
    /// the id of <paramref name="eosToken"/>, which must be in the vocabulary. The files are read into memory.
    /// </summary>
    public static PolicyTokenizer FromBpeFiles(string vocabJsonPath, string mergesTxtPath, string eosToken = "<|endoftext|>")
    {
        if (!File.Exists(vocabJsonPath)) throw new FileNotFoundException($"The BPE vocabulary '{vocabJsonPath}' does not exist.", vocabJsonPath);
        if (!File.Exists(mergesTxtPath)) throw new FileNotFoundException($"The BPE merges file '{mergesTxtPath}' does not exist.", mergesTxtPath);
        return FromBpeContents(File.ReadAllBytes(vocabJsonPath), File.ReadAllBytes(mergesTxtPath), Path.GetFileName(vocabJsonPath),
            Path.GetFileName(mergesTxtPath), eosToken, vocabJsonPath);
    }

    private static PolicyTokenizer FromBpeContents(byte[] vocabJson, byte[] mergesTxt, string vocabFile, string mergesFile, string eosToken, string source)
    {
        Dictionary<string, int> vocab;
        try
        {
            vocab = JsonSerializer.Deserialize<Dictionary<string, int>>(vocabJson) ?? throw new InvalidDataException($"'{source}' is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{source}' is not a JSON object of token to id: {e.Message}", e);
        }
        if (!vocab.TryGetValue(eosToken, out int eos))
            throw new InvalidDataException($"The end-of-sequence token \"{eosToken}\" is not in '{source}'.");
        var merges = Encoding.UTF8.GetString(mergesTxt).Split('\n').Select(l => l.TrimEnd('\r'))
            .Where(l => l.Length > 0 && !l.StartsWith("#version")).ToList();
        var added = new[] { new AddedToken(eos, eosToken, Special: true, false, false, false, Normalized: true) };
        var inner = new ByteLevelBpeTokenizer(vocab, merges, added, normalize: null,
            new[] { new ByteLevelStep(addPrefixSpace: false, useRegex: true) }, ignoreMerges: false, unknownId: null, fuseUnknown: false);
        var description = new TokenizerDescription("bpe", vocab.Values.Max() + 1, eos, eos, eos, vocabFile, mergesFile, eosToken);
        var files = new Dictionary<string, byte[]> { [vocabFile] = vocabJson, [mergesFile] = mergesTxt };
        return new PolicyTokenizer(inner, description, files, inner.Decode);
    }

    /// <summary>
    /// A Hugging Face tokenizer.json (byte-level BPE: GPT-2, SmolLM, Qwen2/2.5/3, Llama 3), with its normalizer,
    /// pre-tokenizer regexes and added tokens (matched inline). BOS, EOS, pad and the chat template come from the
    /// tokenizer_config.json, special_tokens_map.json and generation_config.json beside it when present; a lone file
    /// takes EOS from its added tokens (&lt;|endoftext|&gt;, &lt;|end_of_text|&gt;, &lt;/s&gt;, ...), BOS only from a
    /// post-processor that puts one first, and pads with EOS. An unsupported model type, normalizer or pre-tokenizer is
    /// a <see cref="NotSupportedException"/> naming it.
    /// </summary>
    /// <param name="path">The tokenizer.json file.</param>
    /// <param name="unknownToken">Optional token (in the vocabulary or added tokens) for characters whose bytes the vocabulary lacks; otherwise they are an error.</param>
    public static PolicyTokenizer FromTokenizerJson(string path, string? unknownToken = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"The tokenizer file '{path}' does not exist.", path);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        return FromTokenizerJsonContents(File.ReadAllBytes(path), path, new PretrainedTokenizerSettings(folder), unknownToken, saved: null);
    }

    /// <summary>
    /// A SentencePiece tokenizer.model (Llama 2, Mistral) through Microsoft.ML.Tokenizers' <see cref="LlamaTokenizer"/>;
    /// BOS and EOS are the model's own unless tokenizer_config.json beside it names others; prompts start with BOS
    /// unless its add_bos_token is false.
    /// </summary>
    /// <param name="path">The tokenizer.model file.</param>
    /// <param name="unknownToken">Optional: the model's unknown piece (e.g. "&lt;unk&gt;") is then allowed in encodings; otherwise a character that encodes to it is an error.</param>
    public static PolicyTokenizer FromSentencePiece(string path, string? unknownToken = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"The SentencePiece model '{path}' does not exist.", path);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        return FromSentencePieceContents(File.ReadAllBytes(path), path, new PretrainedTokenizerSettings(folder), unknownToken, saved: null);
    }

    /// <summary>
    /// The tokenizer of a Hugging Face model folder: tokenizer.json when present (see <see cref="FromTokenizerJson"/>),
    /// else tokenizer.model (<see cref="FromSentencePiece"/>), else vocab.json + merges.txt, with BOS, EOS (all of
    /// generation_config.json's eos_token_id), pad and chat template from the folder's config files.
    /// </summary>
    public static PolicyTokenizer FromPretrained(string folder, string? unknownToken = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"The model folder '{folder}' does not exist.");
        var settings = new PretrainedTokenizerSettings(folder);
        var json = Path.Combine(folder, TokenizerJsonFile);
        if (File.Exists(json) && IsHuggingFaceTokenizerJson(json))
            return FromTokenizerJsonContents(File.ReadAllBytes(json), json, settings, unknownToken, saved: null);
        var model = Path.Combine(folder, SentencePieceFile);
        if (File.Exists(model)) return FromSentencePieceContents(File.ReadAllBytes(model), model, settings, unknownToken, saved: null);
        var vocab = Path.Combine(folder, "vocab.json");
        var merges = Path.Combine(folder, "merges.txt");
        if (File.Exists(vocab) && File.Exists(merges))
            return FromBpeFiles(vocab, merges, settings.Token("eos_token").Token ?? "<|endoftext|>");
        throw new FileNotFoundException(
            $"'{folder}' has no tokenizer: looked for {TokenizerJsonFile} (Hugging Face format), {SentencePieceFile} and vocab.json + merges.txt.", json);
    }

    private static bool IsHuggingFaceTokenizerJson(string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("model", out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static PolicyTokenizer FromTokenizerJsonContents(byte[] json, string source, PretrainedTokenizerSettings settings,
        string? unknownToken, TokenizerDescription? saved)
    {
        var (inner, templateBos) = TokenizerJsonReader.Read(Encoding.UTF8.GetString(json), source, unknownToken ?? saved?.UnknownToken);
        int IdOf(string token, string what) => inner.IdOf(token)
            ?? throw new InvalidDataException($"The {what} \"{token}\" named by the tokenizer configuration is not in '{source}'.");

        var (eosDeclared, eosText) = settings.Token("eos_token");
        var eosIds = new List<int>();
        if (eosText is not null) eosIds.Add(IdOf(eosText, "eos_token"));
        eosIds.AddRange(settings.Ids("eos_token_id"));
        if (eosIds.Count == 0 && !eosDeclared)
            eosIds.AddRange(KnownEosTokens.Select(t => inner.AddedTokens.FirstOrDefault(a => a.Content == t && a.Special)?.Id).OfType<int>().Take(1));
        if (eosIds.Count == 0)
            throw new InvalidDataException($"'{source}' names no end-of-sequence token: put eos_token in a tokenizer_config.json beside it (or eos_token_id in generation_config.json).");
        eosIds = eosIds.Distinct().ToList();

        var (bosDeclared, bosText) = settings.Token("bos_token");
        int bos = bosText is not null ? IdOf(bosText, "bos_token") : !bosDeclared && templateBos is not null ? IdOf(templateBos, "post-processor BOS") : -1;
        bool prependBos = settings.AddBosToken ?? templateBos is not null;
        var padText = settings.Token("pad_token").Token;
        int pad = padText is not null ? IdOf(padText, "pad_token") : settings.Ids("pad_token_id").DefaultIfEmpty(eosIds[0]).First();

        var description = saved ?? new TokenizerDescription("tokenizer.json", inner.VocabSize, pad, bos, eosIds[0],
            EosIds: eosIds, PrependBos: prependBos, UnknownToken: unknownToken);
        var files = new Dictionary<string, byte[]>
        {
            [TokenizerJsonFile] = json,
            [PretrainedTokenizerSettings.TokenizerConfigFile] = Encoding.UTF8.GetBytes(settings.TokenizerConfigText
                ?? TokenizerConfigJson(bos >= 0 ? inner.Decode(new[] { bos }, false) : null, inner.Decode(new[] { eosIds[0] }, false),
                    inner.Decode(new[] { pad }, false), prependBos)),
        };
        var chat = ChatTemplates.FromTemplate(settings.ChatTemplate, bos >= 0 ? inner.Decode(new[] { bos }, false) : "");
        return new PolicyTokenizer(inner, description, files, inner.Decode, inner.AddedTokens.Where(t => t.Special).Select(t => t.Id), chat);
    }

    private static PolicyTokenizer FromSentencePieceContents(byte[] model, string source, PretrainedTokenizerSettings settings,
        string? unknownToken, TokenizerDescription? saved)
    {
        LlamaTokenizer inner;
        try
        {
            inner = LlamaTokenizer.Create(new MemoryStream(model), addBeginOfSentence: false, addEndOfSentence: false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"'{source}' is not a SentencePiece BPE model Microsoft.ML.Tokenizers can read: {e.Message}", e);
        }
        int IdOf(string token, string what) => inner.Vocabulary.TryGetValue(token, out var id) ? id
            : throw new InvalidDataException($"The {what} \"{token}\" named by the tokenizer configuration is not in '{source}'.");
        if (unknownToken is not null && unknownToken != inner.UnknownToken)
            throw new ArgumentException($"The unknown token \"{unknownToken}\" is not '{source}''s unknown piece \"{inner.UnknownToken}\".", nameof(unknownToken));
        var eosText = settings.Token("eos_token").Token;
        var eosIds = new List<int> { eosText is not null ? IdOf(eosText, "eos_token") : inner.EndOfSentenceId };
        eosIds.AddRange(settings.Ids("eos_token_id"));
        eosIds = eosIds.Distinct().ToList();
        var (bosDeclared, bosText) = settings.Token("bos_token");
        int bos = bosText is not null ? IdOf(bosText, "bos_token") : bosDeclared ? -1 : inner.BeginningOfSentenceId;
        var padText = settings.Token("pad_token").Token;
        int pad = padText is not null ? IdOf(padText, "pad_token") : settings.Ids("pad_token_id").DefaultIfEmpty(eosIds[0]).First();
        bool prependBos = settings.AddBosToken ?? true;
        int vocabSize = inner.Vocabulary.Values.Max() + 1;
        var description = saved ?? new TokenizerDescription("sentencepiece", vocabSize, pad, bos, eosIds[0],
            EosIds: eosIds, PrependBos: prependBos, UnknownToken: unknownToken);
        var files = new Dictionary<string, byte[]>
        {
            [SentencePieceFile] = model,
            [PretrainedTokenizerSettings.TokenizerConfigFile] = Encoding.UTF8.GetBytes(settings.TokenizerConfigText
                ?? TokenizerConfigJson(bos >= 0 ? inner.BeginningOfSentenceToken : null, inner.EndOfSentenceToken, null, prependBos)),
        };
        var chat = ChatTemplates.FromTemplate(settings.ChatTemplate, bos >= 0 ? inner.BeginningOfSentenceToken : "");
        return new PolicyTokenizer(inner, description, files, (ids, skip) => inner.Decode(ids, considerSpecialTokens: !skip) ?? "",
            specialIds: null, chat);
    }

    private int[] EncodeSentencePiece(SentencePieceTokenizer sp, string text)
    {
        var ids = sp.EncodeToIds(text, addBeginningOfSentence: false, addEndOfSentence: false).ToArray();
        if (Description.UnknownToken is not null || !ids.Contains(sp.UnknownId)) return ids;
        for (int i = 0; i < text.Length; i++)
        {
            int width = char.IsSurrogatePair(text, i) ? 2 : 1;
            var character = text.Substring(i, width);
            if (sp.EncodeToIds(character, false, false).Contains(sp.UnknownId))
                throw new ArgumentException($"Character '{character}' (U+{char.ConvertToUtf32(character, 0):X4}) at position {i} is not in the SentencePiece vocabulary " +
                    $"(it encodes to the unknown piece \"{sp.UnknownToken}\"); pass unknownToken: \"{sp.UnknownToken}\" to allow that.", nameof(text));
            i += width - 1;
        }
        throw new ArgumentException($"The text encodes to the unknown piece \"{sp.UnknownToken}\"; pass unknownToken: \"{sp.UnknownToken}\" to allow that.", nameof(text));
    }

    private static string TokenizerConfigJson(string? bos, string eos, string? pad, bool addBos)
    {
        var config = new Dictionary<string, object?>
        {
            ["tokenizer_class"] = "PreTrainedTokenizerFast",
            ["bos_token"] = bos,
            ["eos_token"] = eos,
            ["pad_token"] = pad,
            ["add_bos_token"] = addBos,
        };
        return JsonSerializer.Serialize(config, new JsonSerializerOptions { WriteIndented = true });
    }
}
