using System.Text.Json;
using Ippo.MLNet.Core.Checkpoints;
using Ippo.MLNet.Core.Tokenization.HuggingFace;

namespace Ippo.MLNet.Core.Tokenization;

public sealed partial class PolicyTokenizer
{
    /// <summary>
    /// For Hugging Face kinds: the file beside tokenizer.json / tokenizer.model that keeps this library's settings (pad,
    /// BOS, every EOS id, whether prompts start with BOS); Hugging Face ignores it.
    /// </summary>
    public const string SettingsFile = "ippo_tokenizer.json";

    /// <summary>
    /// Writes the tokenizer into <paramref name="folder"/> from memory (the folder it was read from may be gone):
    /// Hugging Face kinds write tokenizer.json or tokenizer.model, tokenizer_config.json and <see cref="SettingsFile"/>,
    /// so the folder loads here and in Hugging Face; "bpe" writes its description, vocab.json and merges.txt; the
    /// other kinds write their description as tokenizer.json.
    /// </summary>
    public void SaveTo(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        Directory.CreateDirectory(folder);
        foreach (var (name, contents) in _files) File.WriteAllBytes(Path.Combine(folder, name), contents);
        var descriptionFile = IsHuggingFaceKind(Description.Kind) ? SettingsFile : DescriptionFile;
        File.WriteAllText(Path.Combine(folder, descriptionFile), JsonSerializer.Serialize(Description, CheckpointJson.Options));
    }

    /// <summary>
    /// Reads back a tokenizer saved with <see cref="SaveTo"/> (by this or an earlier version of the library), or the
    /// tokenizer of a plain Hugging Face folder (<see cref="FromPretrained"/>).
    /// </summary>
    public static PolicyTokenizer LoadFrom(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var settingsPath = Path.Combine(folder, SettingsFile);
        if (File.Exists(settingsPath))
        {
            var saved = ReadDescription(settingsPath);
            var settings = new PretrainedTokenizerSettings(folder);
            return saved.Kind switch
            {
                "tokenizer.json" => FromTokenizerJsonContents(ReadRequired(folder, TokenizerJsonFile), Path.Combine(folder, TokenizerJsonFile), settings, null, saved),
                "sentencepiece" => FromSentencePieceContents(ReadRequired(folder, SentencePieceFile), Path.Combine(folder, SentencePieceFile), settings, null, saved),
                _ => throw new InvalidDataException($"'{settingsPath}' names the tokenizer kind \"{saved.Kind}\"; expected tokenizer.json or sentencepiece."),
            };
        }
        var path = Path.Combine(folder, DescriptionFile);
        if (!File.Exists(path))
        {
            if (File.Exists(Path.Combine(folder, SentencePieceFile))) return FromPretrained(folder);
            throw new FileNotFoundException($"'{folder}' has no tokenizer description: '{path}' is missing.", path);
        }
        if (IsHuggingFaceTokenizerJson(path)) return FromPretrained(folder);
        var d = ReadDescription(path);
        return d.Kind switch
        {
            "arithmetic" => CreateArithmetic(),
            "characters" => FromCharacters(d.Alphabet ?? throw new InvalidDataException($"'{path}' is a characters tokenizer without an alphabet."), d.UnknownToken),
            "gpt2" => CreateGpt2(),
            "bpe" => FromBpeFiles(Path.Combine(folder, d.VocabFile ?? "vocab.json"), Path.Combine(folder, d.MergesFile ?? "merges.txt"), d.EosToken ?? "<|endoftext|>"),
            _ => throw new InvalidDataException($"'{path}' names an unknown tokenizer kind \"{d.Kind}\" (known: arithmetic, characters, gpt2, bpe)."),
        };
    }

    private static bool IsHuggingFaceKind(string kind) => kind is "tokenizer.json" or "sentencepiece";

    private static byte[] ReadRequired(string folder, string file)
    {
        var path = Path.Combine(folder, file);
        if (!File.Exists(path)) throw new FileNotFoundException($"'{folder}' has {SettingsFile} but not '{file}'.", path);
        return File.ReadAllBytes(path);
    }

    private static TokenizerDescription ReadDescription(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<TokenizerDescription>(File.ReadAllText(path), CheckpointJson.Options)
                ?? throw new InvalidDataException($"'{path}' is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not a tokenizer description: {e.Message}", e);
        }
    }
}
