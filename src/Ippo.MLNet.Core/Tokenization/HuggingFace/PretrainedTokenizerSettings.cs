using System.Text.Json;

namespace Ippo.MLNet.Core.Tokenization.HuggingFace;

/// <summary>
/// What a Hugging Face folder says about its special tokens and chat template: tokenizer_config.json first, then
/// special_tokens_map.json, then generation_config.json and config.json (ids only).
/// </summary>
internal sealed class PretrainedTokenizerSettings
{
    public const string TokenizerConfigFile = "tokenizer_config.json";
    public const string SpecialTokensMapFile = "special_tokens_map.json";
    public const string GenerationConfigFile = "generation_config.json";
    public const string ModelConfigFile = "config.json";

    private readonly Dictionary<string, JsonElement> _tokenizerConfig;
    private readonly Dictionary<string, JsonElement> _specialTokensMap;
    private readonly Dictionary<string, JsonElement> _generationConfig;
    private readonly Dictionary<string, JsonElement> _modelConfig;

    public PretrainedTokenizerSettings(string folder)
    {
        TokenizerConfigText = ReadText(folder, TokenizerConfigFile);
        _tokenizerConfig = Parse(folder, TokenizerConfigFile, TokenizerConfigText);
        _specialTokensMap = Parse(folder, SpecialTokensMapFile, ReadText(folder, SpecialTokensMapFile));
        _generationConfig = Parse(folder, GenerationConfigFile, ReadText(folder, GenerationConfigFile));
        _modelConfig = Parse(folder, ModelConfigFile, ReadText(folder, ModelConfigFile));
    }

    /// <summary>tokenizer_config.json as written, or null when the folder has none.</summary>
    public string? TokenizerConfigText { get; }

    /// <summary>The token text of <paramref name="name"/> ("bos_token", "eos_token", "pad_token", "unk_token"); explicit null stays null.</summary>
    public (bool Declared, string? Token) Token(string name)
    {
        foreach (var source in new[] { _tokenizerConfig, _specialTokensMap })
            if (source.TryGetValue(name, out var v))
                return (true, v.ValueKind switch
                {
                    JsonValueKind.String => v.GetString(),
                    JsonValueKind.Object when v.TryGetProperty("content", out var c) => c.GetString(),
                    _ => null,
                });
        return (false, null);
    }

    /// <summary>Ids of <paramref name="name"/> ("bos_token_id", "eos_token_id", "pad_token_id") from generation_config.json, then config.json; an int or a list.</summary>
    public IReadOnlyList<int> Ids(string name)
    {
        foreach (var source in new[] { _generationConfig, _modelConfig })
            if (source.TryGetValue(name, out var v))
                return v.ValueKind switch
                {
                    JsonValueKind.Number => new[] { v.GetInt32() },
                    JsonValueKind.Array => v.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.Number).Select(x => x.GetInt32()).ToArray(),
                    _ => Array.Empty<int>(),
                };
        return Array.Empty<int>();
    }

    /// <summary>tokenizer_config.json's add_bos_token, or null when absent.</summary>
    public bool? AddBosToken =>
        _tokenizerConfig.TryGetValue("add_bos_token", out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;

    /// <summary>tokenizer_config.json's chat_template: a string, or the "default" (else first) of a list of named templates.</summary>
    public string? ChatTemplate
    {
        get
        {
            if (!_tokenizerConfig.TryGetValue("chat_template", out var v)) return null;
            if (v.ValueKind == JsonValueKind.String) return v.GetString();
            if (v.ValueKind != JsonValueKind.Array) return null;
            var named = v.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.Object).ToList();
            var chosen = named.FirstOrDefault(x => x.TryGetProperty("name", out var n) && n.GetString() == "default");
            if (chosen.ValueKind != JsonValueKind.Object && named.Count > 0) chosen = named[0];
            return chosen.ValueKind == JsonValueKind.Object && chosen.TryGetProperty("template", out var t) ? t.GetString() : null;
        }
    }

    private static string? ReadText(string folder, string file)
    {
        var path = Path.Combine(folder, file);
        return File.Exists(path) ? File.ReadAllText(path) : null;
    }

    private static Dictionary<string, JsonElement> Parse(string folder, string file, string? text)
    {
        if (text is null) return new Dictionary<string, JsonElement>();
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new InvalidDataException($"'{Path.Combine(folder, file)}' is not a JSON object: {e.Message}", e);
        }
    }
}
