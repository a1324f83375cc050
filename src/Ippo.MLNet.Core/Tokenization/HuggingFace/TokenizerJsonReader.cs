using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Ippo.MLNet.Core.Tokenization.HuggingFace;

/// <summary>
/// Reads a Hugging Face tokenizer.json into a <see cref="ByteLevelBpeTokenizer"/>. Supported: model BPE; normalizer none,
/// NFC, NFD, NFKC, NFKD or a Sequence of them; pre-tokenizer ByteLevel, or a Sequence of Split / Digits steps ending with
/// ByteLevel. Anything else is refused with its name and the path of the field.
/// </summary>
internal static class TokenizerJsonReader
{
    /// <summary>The tokenizer, and the token a TemplateProcessing post-processor puts before every single text (Llama 3's BOS), if any.</summary>
    public static (ByteLevelBpeTokenizer Tokenizer, string? TemplateBosToken) Read(string json, string source, string? unknownToken)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{source}' is not valid JSON: {e.Message}", e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (!root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"'{source}' has no \"model\" object: it is not a Hugging Face tokenizer.json.");
            var type = model.TryGetProperty("type", out var t) ? t.GetString() : (model.TryGetProperty("merges", out _) ? "BPE" : null);
            if (type != "BPE")
                throw new NotSupportedException($"'{source}': model.type \"{type ?? "(none)"}\" is not supported; supported: BPE (byte-level, as GPT-2, SmolLM, Qwen2/2.5/3 and Llama 3). " +
                    "For a SentencePiece model (Llama 2, Mistral) use PolicyTokenizer.FromSentencePiece on its tokenizer.model.");
            foreach (var field in new[] { "continuing_subword_prefix", "end_of_word_suffix" })
                if (model.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String && v.GetString()!.Length > 0)
                    throw new NotSupportedException($"'{source}': model.{field} \"{v.GetString()}\" is not supported (byte-level BPE has none).");
            if (model.TryGetProperty("dropout", out var dropout) && dropout.ValueKind == JsonValueKind.Number && dropout.GetDouble() != 0)
                throw new NotSupportedException($"'{source}': model.dropout {dropout.GetDouble()} is not supported (encoding must be deterministic).");
            if (Flag(model, "byte_fallback"))
                throw new NotSupportedException($"'{source}': model.byte_fallback true (a SentencePiece-style BPE) is not supported; use PolicyTokenizer.FromSentencePiece on the tokenizer.model.");

            var vocab = ReadVocab(model, source);
            var merges = ReadMerges(model, source);
            var added = root.TryGetProperty("added_tokens", out var a) && a.ValueKind == JsonValueKind.Array
                ? a.EnumerateArray().Select(e => new AddedToken(
                    e.GetProperty("id").GetInt32(), e.GetProperty("content").GetString()!, Flag(e, "special"),
                    Flag(e, "lstrip"), Flag(e, "rstrip"), Flag(e, "single_word"), Flag(e, "normalized"))).ToList()
                : new List<AddedToken>();
            var normalize = ReadNormalizer(root.TryGetProperty("normalizer", out var n) ? n : default, source, "normalizer");
            var steps = new List<PreTokenizerStep>();
            ReadPreTokenizer(root.TryGetProperty("pre_tokenizer", out var p) ? p : default, source, "pre_tokenizer", steps);
            if (steps.Count == 0 || steps[^1] is not ByteLevelStep || steps.Take(steps.Count - 1).Any(s => s is ByteLevelStep))
                throw new NotSupportedException($"'{source}': the pre_tokenizer must end with one ByteLevel step (byte-level BPE); this one does not. " +
                    "Metaspace (SentencePiece-style) tokenizer.json files are not supported: use PolicyTokenizer.FromSentencePiece on the tokenizer.model.");

            var unknownText = unknownToken ?? (model.TryGetProperty("unk_token", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString() : null);
            int? unknownId = null;
            if (unknownText is not null)
            {
                unknownId = added.FirstOrDefault(x => x.Content == unknownText)?.Id ?? (vocab.TryGetValue(unknownText, out var id) ? id : null);
                if (unknownId is null) throw new ArgumentException($"The unknown token \"{unknownText}\" is not in '{source}' (neither in model.vocab nor in added_tokens).", nameof(unknownToken));
            }
            var tokenizer = new ByteLevelBpeTokenizer(vocab, merges, added, normalize, steps, Flag(model, "ignore_merges"), unknownId, Flag(model, "fuse_unk"));
            return (tokenizer, TemplateBos(root.TryGetProperty("post_processor", out var post) ? post : default));
        }
    }

    private static bool Flag(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    private static Dictionary<string, int> ReadVocab(JsonElement model, string source)
    {
        if (!model.TryGetProperty("vocab", out var v) || v.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"'{source}': model.vocab is missing or not an object of token to id.");
        var vocab = new Dictionary<string, int>();
        foreach (var entry in v.EnumerateObject()) vocab[entry.Name] = entry.Value.GetInt32();
        return vocab;
    }

    private static List<string> ReadMerges(JsonElement model, string source)
    {
        var merges = new List<string>();
        if (!model.TryGetProperty("merges", out var m) || m.ValueKind == JsonValueKind.Null) return merges;
        foreach (var merge in m.EnumerateArray())
        {
            // Older files write "a b", newer ones ["a", "b"]; byte-level symbols never contain a space.
            if (merge.ValueKind == JsonValueKind.String) merges.Add(merge.GetString()!);
            else if (merge.ValueKind == JsonValueKind.Array && merge.GetArrayLength() == 2) merges.Add($"{merge[0].GetString()} {merge[1].GetString()}");
            else throw new InvalidDataException($"'{source}': model.merges entry {merge.GetRawText()} is neither \"a b\" nor [\"a\", \"b\"].");
        }
        return merges;
    }

    private static Func<string, string>? ReadNormalizer(JsonElement e, string source, string path)
    {
        if (e.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null) return null;
        var type = e.TryGetProperty("type", out var t) ? t.GetString() : null;
        switch (type)
        {
            case "NFC": return s => s.Normalize(NormalizationForm.FormC);
            case "NFD": return s => s.Normalize(NormalizationForm.FormD);
            case "NFKC": return s => s.Normalize(NormalizationForm.FormKC);
            case "NFKD": return s => s.Normalize(NormalizationForm.FormKD);
            case "Sequence":
                var parts = e.GetProperty("normalizers").EnumerateArray().Select((x, i) => ReadNormalizer(x, source, $"{path}.normalizers[{i}]"))
                    .Where(f => f is not null).Cast<Func<string, string>>().ToList();
                return parts.Count == 0 ? null : s => parts.Aggregate(s, (acc, f) => f(acc));
            default:
                throw new NotSupportedException($"'{source}': {path}.type \"{type}\" is not supported; supported normalizers: NFC, NFD, NFKC, NFKD, Sequence.");
        }
    }

    private static void ReadPreTokenizer(JsonElement e, string source, string path, List<PreTokenizerStep> steps)
    {
        if (e.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null) return;
        var type = e.TryGetProperty("type", out var t) ? t.GetString() : null;
        switch (type)
        {
            case "Sequence":
                int i = 0;
                foreach (var inner in e.GetProperty("pretokenizers").EnumerateArray()) ReadPreTokenizer(inner, source, $"{path}.pretokenizers[{i++}]", steps);
                return;
            case "ByteLevel":
                steps.Add(new ByteLevelStep(Flag(e, "add_prefix_space"), !e.TryGetProperty("use_regex", out var r) || r.ValueKind != JsonValueKind.False));
                return;
            case "Digits":
                steps.Add(new DigitsStep(Flag(e, "individual_digits")));
                return;
            case "Split":
                if (Flag(e, "invert")) throw new NotSupportedException($"'{source}': {path} is a Split with invert true, which is not supported.");
                var pattern = e.GetProperty("pattern");
                string regex = pattern.TryGetProperty("Regex", out var rx) ? rx.GetString()!
                    : pattern.TryGetProperty("String", out var str) ? Regex.Escape(str.GetString()!)
                    : throw new InvalidDataException($"'{source}': {path}.pattern is neither {{\"Regex\": ...}} nor {{\"String\": ...}}.");
                var behaviorText = e.TryGetProperty("behavior", out var b) ? b.GetString() : "Isolated";
                if (!Enum.TryParse<SplitBehavior>(behaviorText, out var behavior))
                    throw new NotSupportedException($"'{source}': {path}.behavior \"{behaviorText}\" is not supported; supported: {string.Join(", ", Enum.GetNames<SplitBehavior>())}.");
                steps.Add(new SplitStep(new CodePointRegex(regex), behavior));
                return;
            default:
                throw new NotSupportedException($"'{source}': {path}.type \"{type}\" is not supported; supported pre-tokenizers: ByteLevel, Split, Digits, Sequence.");
        }
    }

    private static string? TemplateBos(JsonElement post)
    {
        if (post.ValueKind != JsonValueKind.Object || !post.TryGetProperty("type", out var t)) return null;
        if (t.GetString() == "Sequence" && post.TryGetProperty("processors", out var list))
            return list.EnumerateArray().Select(TemplateBos).FirstOrDefault(x => x is not null);
        if (t.GetString() != "TemplateProcessing" || !post.TryGetProperty("single", out var single) || single.GetArrayLength() == 0) return null;
        var first = single[0];
        return first.TryGetProperty("SpecialToken", out var special) ? special.GetProperty("id").GetString() : null;
    }
}
