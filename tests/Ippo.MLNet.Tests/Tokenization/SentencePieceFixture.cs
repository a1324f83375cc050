using System.Text;
using System.Text.Json.Nodes;

namespace Ippo.MLNet.Tests.Tokenization;

/// <summary>
/// A tiny Llama-2-style SentencePiece BPE model (byte fallback, dummy prefix, no whitespace folding) written as a
/// tokenizer.model protobuf, and the same model as Hugging Face's converter would write it in a tokenizer.json (merges
/// ordered by the merged piece's score), so that the Rust library can serve as the oracle.
/// </summary>
internal static class SentencePieceFixture
{
    private const string Space = "\u2581";

    private static List<string> NormalPieces()
    {
        var pieces = new List<string> { Space };
        // Merged pieces first (higher scores merge first), then single characters.
        pieces.AddRange(new[]
        {
            Space + "the", Space + "t", "he", "th", "in", "ing", Space + "a", "er", "an", "re", Space + "s", "on", "at", "en",
            Space + "w", "or", Space + "c", "is", "it", Space + "1", "12", Space + "he", "ll", "llo", Space + "H", Space + "He",
            Space + "Hello", "Hello", Space + "wor", Space + "world", "wor", "ld", "es", Space + Space, Space + Space + Space,
        });
        for (char c = '!'; c <= '~'; c++) pieces.Add(c.ToString());
        pieces.AddRange(new[] { "é", "日", "本" });
        return pieces.Distinct().ToList();
    }

    /// <summary>Writes tokenizer.model into <paramref name="folder"/> and returns its path.</summary>
    public static string WriteModel(string folder)
    {
        Directory.CreateDirectory(folder);
        var model = new List<byte>();
        void Piece(string text, float score, int type)
        {
            var p = new List<byte>();
            Proto.String(p, 1, text);
            Proto.Float(p, 2, score);
            Proto.Varint(p, 3, type);
            Proto.Bytes(model, 1, p.ToArray());
        }
        Piece("<unk>", 0, 2);
        Piece("<s>", 0, 3);
        Piece("</s>", 0, 3);
        for (int b = 0; b < 256; b++) Piece($"<0x{b:X2}>", 0, 6);
        var normal = NormalPieces();
        for (int i = 0; i < normal.Count; i++) Piece(normal[i], -i, 1);

        var trainer = new List<byte>();
        Proto.Varint(trainer, 3, 2); // model_type BPE
        Proto.Varint(trainer, 4, 3 + 256 + normal.Count);
        Proto.Varint(trainer, 35, 1); // byte_fallback
        Proto.Varint(trainer, 40, 0);
        Proto.Varint(trainer, 41, 1);
        Proto.Varint(trainer, 42, 2);
        Proto.Varint(trainer, 43, unchecked((ulong)-1L));
        Proto.Bytes(model, 2, trainer.ToArray());

        var normalizer = new List<byte>();
        Proto.String(normalizer, 1, "identity");
        Proto.Varint(normalizer, 3, 1); // add_dummy_prefix
        Proto.Varint(normalizer, 4, 0); // remove_extra_whitespaces
        Proto.Varint(normalizer, 5, 1); // escape_whitespaces
        Proto.Bytes(model, 3, normalizer.ToArray());

        var path = Path.Combine(folder, "tokenizer.model");
        File.WriteAllBytes(path, model.ToArray());
        return path;
    }

    /// <summary>Writes the equivalent tokenizer.json into <paramref name="folder"/> and returns its path.</summary>
    public static string WriteEquivalentTokenizerJson(string folder)
    {
        Directory.CreateDirectory(folder);
        var vocab = new JsonObject { ["<unk>"] = 0, ["<s>"] = 1, ["</s>"] = 2 };
        for (int b = 0; b < 256; b++) vocab[$"<0x{b:X2}>"] = 3 + b;
        var normal = NormalPieces();
        for (int i = 0; i < normal.Count; i++) vocab[normal[i]] = 259 + i;
        var merges = new JsonArray();
        foreach (var piece in normal.Where(p => p.Length > 1))
            for (int cut = 1; cut < piece.Length; cut++)
                if (vocab.ContainsKey(piece[..cut]) && vocab.ContainsKey(piece[cut..])) merges.Add($"{piece[..cut]} {piece[cut..]}");
        JsonObject Special(int id, string content) => new()
        {
            ["id"] = id, ["content"] = content, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = false, ["special"] = true,
        };
        var json = new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = new JsonArray(Special(0, "<unk>"), Special(1, "<s>"), Special(2, "</s>")),
            ["normalizer"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["normalizers"] = new JsonArray(
                    new JsonObject { ["type"] = "Prepend", ["prepend"] = Space },
                    new JsonObject { ["type"] = "Replace", ["pattern"] = new JsonObject { ["String"] = " " }, ["content"] = Space }),
            },
            ["pre_tokenizer"] = null,
            ["post_processor"] = null,
            ["decoder"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["decoders"] = new JsonArray(
                    new JsonObject { ["type"] = "Replace", ["pattern"] = new JsonObject { ["String"] = Space }, ["content"] = " " },
                    new JsonObject { ["type"] = "ByteFallback" },
                    new JsonObject { ["type"] = "Fuse" },
                    new JsonObject { ["type"] = "Strip", ["content"] = " ", ["start"] = 1, ["stop"] = 0 }),
            },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = "<unk>", ["continuing_subword_prefix"] = null, ["end_of_word_suffix"] = null,
                ["fuse_unk"] = true, ["byte_fallback"] = true, ["vocab"] = vocab, ["merges"] = merges,
            },
        };
        return TokenizerJsonFixtures.Write(folder, json);
    }

    /// <summary>Just enough protobuf writing for a SentencePiece ModelProto.</summary>
    private static class Proto
    {
        private static void Raw(List<byte> to, ulong value)
        {
            while (value >= 0x80)
            {
                to.Add((byte)(value | 0x80));
                value >>= 7;
            }
            to.Add((byte)value);
        }

        public static void Varint(List<byte> to, int field, ulong value)
        {
            Raw(to, (ulong)(field << 3));
            Raw(to, value);
        }

        public static void Varint(List<byte> to, int field, int value) => Varint(to, field, (ulong)value);

        public static void Float(List<byte> to, int field, float value)
        {
            Raw(to, (ulong)((field << 3) | 5));
            to.AddRange(BitConverter.GetBytes(value));
        }

        public static void Bytes(List<byte> to, int field, byte[] value)
        {
            Raw(to, (ulong)((field << 3) | 2));
            Raw(to, (ulong)value.Length);
            to.AddRange(value);
        }

        public static void String(List<byte> to, int field, string value) => Bytes(to, field, Encoding.UTF8.GetBytes(value));
    }
}
