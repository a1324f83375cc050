using System.Text.Json.Nodes;
using NUnit.Framework;

namespace Ippo.MLNet.Tests.Tokenization;

/// <summary>
/// Small tokenizer.json files in the three byte-level styles, written into a test folder. All three reuse the GPT-2
/// fixture's 256-symbol byte alphabet and 200 merges; the Qwen2 and Llama 3 styles swap in those models' real
/// pre-tokenizer regexes, normalizer and added tokens.
/// </summary>
internal static class TokenizerJsonFixtures
{
    public const string Qwen2Pattern =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    public const string Llama3Pattern =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    public static string Gpt2FixtureFolder => Path.Combine(TestContext.CurrentContext.TestDirectory, "Fixtures", "hf", "tokenizer-gpt2");

    private static JsonObject Gpt2() => JsonNode.Parse(File.ReadAllText(Path.Combine(Gpt2FixtureFolder, "tokenizer.json")))!.AsObject();

    private static JsonObject Added(int id, string content, bool special = true) => new()
    {
        ["id"] = id, ["content"] = content, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false,
        ["normalized"] = false, ["special"] = special,
    };

    private static JsonObject ByteLevel(bool useRegex) => new()
    {
        ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = !useRegex ? false : true, ["use_regex"] = useRegex,
    };

    private static JsonObject SplitThenByteLevel(string pattern) => new()
    {
        ["type"] = "Sequence",
        ["pretokenizers"] = new JsonArray(
            new JsonObject
            {
                ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = pattern }, ["behavior"] = "Isolated", ["invert"] = false,
            },
            ByteLevel(useRegex: false)),
    };

    /// <summary>Qwen2/2.5 style: NFC, Qwen's Split regex then ByteLevel, &lt;|endoftext|&gt; 456, &lt;|im_start|&gt; 457, &lt;|im_end|&gt; 458, &lt;tool_call&gt; 459 (not special).</summary>
    public static string WriteQwen2Style(string folder)
    {
        var json = Gpt2();
        json["added_tokens"] = new JsonArray(Added(456, "<|endoftext|>"), Added(457, "<|im_start|>"), Added(458, "<|im_end|>"), Added(459, "<tool_call>", special: false));
        json["normalizer"] = new JsonObject { ["type"] = "NFC" };
        json["pre_tokenizer"] = SplitThenByteLevel(Qwen2Pattern);
        json["post_processor"] = ByteLevel(useRegex: false);
        json["decoder"] = ByteLevel(useRegex: false);
        var vocab = json["model"]!["vocab"]!.AsObject();
        vocab.Remove("<|endoftext|>"); // Qwen's added tokens live outside model.vocab
        return Write(folder, json);
    }

    /// <summary>
    /// Llama 3 style: no normalizer, Llama 3's Split regex then ByteLevel, ignore_merges with whole-word entries the merges
    /// cannot build, the header and end tokens from 457, and a post-processor that puts &lt;|begin_of_text|&gt; first.
    /// </summary>
    public static string WriteLlama3Style(string folder)
    {
        var json = Gpt2();
        var model = json["model"]!.AsObject();
        model["ignore_merges"] = true;
        var vocab = model["vocab"]!.AsObject();
        vocab.Remove("<|endoftext|>");
        int next = 456;
        foreach (var word in new[] { "Ġworld", "ĠHello", "Hello", "Ġclips", "Ġfriends", "ĠApril" })
            if (!vocab.ContainsKey(word)) vocab[word] = next++;
        // The Rust library numbers added tokens that are not in model.vocab from the vocabulary's size up, so they come last.
        next = AddMergesAcross(model, next, "😀a", "𠀀a");
        string[] specials = { "<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>", "<|reserved_special_token_0|>" };
        var added = new JsonArray();
        foreach (var s in specials) added.Add(Added(next++, s));
        json["added_tokens"] = added;
        json["normalizer"] = null;
        json["pre_tokenizer"] = SplitThenByteLevel(Llama3Pattern);
        int bos = next - specials.Length;
        json["post_processor"] = new JsonObject
        {
            ["type"] = "Sequence",
            ["processors"] = new JsonArray(
                new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["trim_offsets"] = false, ["use_regex"] = true },
                new JsonObject
                {
                    ["type"] = "TemplateProcessing",
                    ["single"] = new JsonArray(
                        new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = "<|begin_of_text|>", ["type_id"] = 0 } },
                        new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "A", ["type_id"] = 0 } }),
                    ["pair"] = new JsonArray(
                        new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = "<|begin_of_text|>", ["type_id"] = 0 } },
                        new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "A", ["type_id"] = 0 } },
                        new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = "<|begin_of_text|>", ["type_id"] = 1 } },
                        new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "B", ["type_id"] = 1 } }),
                    ["special_tokens"] = new JsonObject
                    {
                        ["<|begin_of_text|>"] = new JsonObject
                        {
                            ["id"] = "<|begin_of_text|>", ["ids"] = new JsonArray(bos), ["tokens"] = new JsonArray("<|begin_of_text|>"),
                        },
                    },
                }),
        };
        json["decoder"] = ByteLevel(useRegex: true);
        return Write(folder, json);
    }

    /// <summary>SmolLM style: every digit alone, then GPT-2's ByteLevel (use_regex true), optionally with add_prefix_space.</summary>
    public static string WriteSmolLmStyle(string folder, bool addPrefixSpace)
    {
        var json = Gpt2();
        var byteLevel = ByteLevel(useRegex: true);
        byteLevel["add_prefix_space"] = addPrefixSpace;
        json["pre_tokenizer"] = new JsonObject
        {
            ["type"] = "Sequence",
            ["pretokenizers"] = new JsonArray(new JsonObject { ["type"] = "Digits", ["individual_digits"] = true }, byteLevel),
        };
        return Write(folder, json);
    }

    /// <summary>The Qwen2 style plus added tokens that strip the whitespace on their left or right, or match only as whole words.</summary>
    public static string WriteWithStrippingAddedTokens(string folder)
    {
        var path = WriteQwen2Style(folder);
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        var added = json["added_tokens"]!.AsArray();
        var mask = Added(460, "<mask>");
        mask["lstrip"] = true;
        var sep = Added(461, "[SEP]");
        sep["rstrip"] = true;
        var word = Added(462, "hello", special: false);
        word["single_word"] = true;
        added.Add(mask);
        added.Add(sep);
        added.Add(word);
        return Write(folder, json);
    }

    /// <summary>The GPT-2 fixture with the newer merges layout (["a", "b"] pairs) instead of "a b" strings.</summary>
    public static string WriteGpt2WithPairMerges(string folder)
    {
        var json = Gpt2();
        var merges = json["model"]!["merges"]!.AsArray().Select(m => m!.GetValue<string>().Split(' ')).ToList();
        json["model"]!["merges"] = new JsonArray(merges.Select(m => (JsonNode)new JsonArray(m[0], m[1])).ToArray());
        AddMergesAcross(json["model"]!.AsObject(), 457, "😀a", "𠀀a"); // <|endoftext|> (456) is in model.vocab here
        return Write(folder, json);
    }

    /// <summary>
    /// Adds merges that build each word byte by byte, so that a pre-tokenizer which cut it (as .NET's UTF-16 regexes cut
    /// an emoji or a CJK extension-B letter from the letters after it) gives different ids.
    /// </summary>
    private static int AddMergesAcross(JsonObject model, int next, params string[] words)
    {
        var vocab = model["vocab"]!.AsObject();
        var merges = model["merges"]!.AsArray();
        bool pairs = merges.Count > 0 && merges[0] is JsonArray;
        foreach (var word in words)
        {
            var symbols = System.Text.Encoding.UTF8.GetBytes(word).Select(b => ByteSymbol(b).ToString()).ToList();
            var prefix = symbols[0];
            foreach (var symbol in symbols.Skip(1))
            {
                merges.Add(pairs ? new JsonArray(prefix, symbol) : JsonValue.Create($"{prefix} {symbol}"));
                prefix += symbol;
                if (!vocab.ContainsKey(prefix)) vocab[prefix] = next++;
            }
        }
        return next;
    }

    /// <summary>GPT-2's printable stand-in for a byte: printable Latin-1 bytes as themselves, the rest from U+0100 up in byte order.</summary>
    private static char ByteSymbol(byte value)
    {
        static bool Printable(int b) => (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        if (Printable(value)) return (char)value;
        return (char)(256 + Enumerable.Range(0, value).Count(b => !Printable(b)));
    }

    public static string Write(string folder, JsonObject json)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "tokenizer.json");
        File.WriteAllText(path, json.ToJsonString());
        return path;
    }
}
