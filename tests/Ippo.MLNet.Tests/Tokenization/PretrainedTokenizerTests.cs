using System.Text.Json;
using System.Text.Json.Nodes;
using Ippo.MLNet.Core.Tokenization;
using NUnit.Framework;
using RustTokenizer = Tokenizers.DotNet.Tokenizer;

namespace Ippo.MLNet.Tests.Tokenization;

public class PretrainedTokenizerTests
{
    private string _dir = "";

    [SetUp]
    public void CreateFolder() => _dir = Directory.CreateTempSubdirectory("ippo-pretrained-").FullName;

    [TearDown]
    public void DeleteFolder()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private string QwenFolder(string name = "qwen")
    {
        var folder = Path.Combine(_dir, name);
        TokenizerJsonFixtures.WriteQwen2Style(folder);
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["bos_token"] = null, ["eos_token"] = "<|im_end|>", ["pad_token"] = "<|endoftext|>", ["add_bos_token"] = false,
            ["chat_template"] = "{%- if messages[0]['role'] == 'system' %}{{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}" +
                "{%- else %}{{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\\n' }}{%- endif %}...",
        }));
        File.WriteAllText(Path.Combine(folder, "generation_config.json"), """{"eos_token_id": [458, 456], "pad_token_id": 456}""");
        return folder;
    }

    private string LlamaFolder()
    {
        var folder = Path.Combine(_dir, "llama");
        var path = TokenizerJsonFixtures.WriteLlama3Style(folder);
        var tok = PolicyTokenizer.FromTokenizerJson(path);
        var id = (string t) => tok.Encode(t).Single();
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["bos_token"] = new Dictionary<string, object> { ["content"] = "<|begin_of_text|>", ["special"] = true },
            ["eos_token"] = "<|eot_id|>",
            ["chat_template"] = "{{- bos_token }}{%- if custom_tools is defined %}...Cutting Knowledge Date: December 2023...<|start_header_id|>...<|eot_id|>",
        }));
        File.WriteAllText(Path.Combine(folder, "generation_config.json"),
            $$"""{"bos_token_id": {{id("<|begin_of_text|>")}}, "eos_token_id": [{{id("<|end_of_text|>")}}, {{id("<|eot_id|>")}}]}""");
        return folder;
    }

    [Test]
    public void QwenHasNoBosSeveralEosIdsAndItsOwnPad()
    {
        var tok = PolicyTokenizer.FromPretrained(QwenFolder());
        Assert.That(tok.HasBos, Is.False);
        Assert.That(tok.PrependBos, Is.False);
        Assert.Throws<InvalidOperationException>(() => _ = tok.BosId);
        Assert.That(tok.EosId, Is.EqualTo(458), "tokenizer_config's eos_token comes first");
        Assert.That(tok.EosIds, Is.EqualTo(new[] { 458, 456 }));
        Assert.That(tok.PadId, Is.EqualTo(456));
        Assert.That(tok.Encode("<|im_start|>user")[0], Is.EqualTo(457));
        Assert.That(tok.Encode("<|im_start|>user"), Has.Length.GreaterThan(1));
    }

    [Test]
    public void LlamaThreeTakesBosFromItsConfigAndPrependsIt()
    {
        var tok = PolicyTokenizer.FromPretrained(LlamaFolder());
        var id = (string t) => tok.Encode(t).Single();
        Assert.That((tok.HasBos, tok.PrependBos, tok.BosId), Is.EqualTo((true, true, id("<|begin_of_text|>"))));
        Assert.That(tok.EosId, Is.EqualTo(id("<|eot_id|>")));
        Assert.That(tok.EosIds, Is.EquivalentTo(new[] { id("<|eot_id|>"), id("<|end_of_text|>") }));
        Assert.That(tok.PadId, Is.EqualTo(tok.EosId), "no pad token: pad with EOS");
    }

    [Test]
    public void DecodingSkipsSpecialTokensOnlyWhenAsked()
    {
        var tok = PolicyTokenizer.FromPretrained(QwenFolder());
        var ids = tok.Encode("<|im_start|>user\nhi<|im_end|><tool_call>");
        Assert.That(tok.Decode(ids, skipSpecialTokens: false), Is.EqualTo("<|im_start|>user\nhi<|im_end|><tool_call>"));
        Assert.That(tok.Decode(ids), Is.EqualTo("user\nhi<tool_call>"), "<tool_call> is an added token but not a special one");
    }

    [Test]
    public void ALoneGpt2TokenizerJsonTakesEosFromItsAddedTokens()
    {
        var tok = PolicyTokenizer.FromTokenizerJson(Path.Combine(TokenizerJsonFixtures.Gpt2FixtureFolder, "tokenizer.json"));
        Assert.That((tok.EosId, tok.PadId, tok.HasBos, tok.PrependBos), Is.EqualTo((456, 456, false, false)));
    }

    [Test]
    public void SavedFoldersLoadHereAndInTheRustLibraryWithTheSameIds()
    {
        var texts = OracleStrings.All().Take(60).ToList();
        foreach (var source in new[] { QwenFolder(), LlamaFolder() })
        {
            var tok = PolicyTokenizer.FromPretrained(source);
            var saved = Path.Combine(_dir, "saved-" + Path.GetFileName(source));
            tok.SaveTo(saved);
            var loaded = PolicyTokenizer.LoadFrom(saved);
            Assert.That(loaded.Description, Is.EqualTo(tok.Description), source);
            Assert.That(loaded.ChatFormatter.GetType(), Is.EqualTo(tok.ChatFormatter.GetType()), source);
            using var rust = new RustTokenizer(vocabPath: Path.Combine(saved, "tokenizer.json"));
            foreach (var text in texts)
            {
                Assert.That(loaded.Encode(text), Is.EqualTo(tok.Encode(text)), text);
                var bos = tok.PrependBos ? new[] { tok.BosId } : Array.Empty<int>();
                Assert.That(rust.Encode(text).Select(x => (int)x), Is.EqualTo(bos.Concat(tok.Encode(text))), "Hugging Face reads the saved tokenizer.json: " + text);
            }
            var config = JsonNode.Parse(File.ReadAllText(Path.Combine(saved, "tokenizer_config.json")))!;
            Assert.That(config["eos_token"]!.GetValue<string>(), Is.EqualTo(tok.Decode(new[] { tok.EosId }, skipSpecialTokens: false)));
        }
    }

    [Test]
    public void ATokenizerWhoseSourceFolderWasDeletedStillSaves()
    {
        // Issue 13: LoadModel extracts to a temporary folder and deletes it; the tokenizer must not need it afterwards.
        var bpeSource = Path.Combine(_dir, "temp-bpe");
        Directory.CreateDirectory(bpeSource);
        File.WriteAllText(Path.Combine(bpeSource, "vocab.json"), JsonSerializer.Serialize(
            new Dictionary<string, int> { ["H"] = 0, ["i"] = 1, ["Ġ"] = 2, ["Hi"] = 3, ["<|endoftext|>"] = 4 }));
        File.WriteAllLines(Path.Combine(bpeSource, "merges.txt"), new[] { "#version: 0.2", "H i" });
        var cases = new List<(string Folder, string Text)> { (QwenFolder("temp-qwen"), "<|im_start|>user\nhello 12<|im_end|>"), (bpeSource, "Hi Hi") };
        foreach (var (folder, text) in cases)
        {
            var first = PolicyTokenizer.FromPretrained(folder);
            var resaved = Path.Combine(_dir, "resaved-" + Path.GetFileName(folder));
            first.SaveTo(Path.Combine(_dir, "first"));
            var loaded = PolicyTokenizer.LoadFrom(Path.Combine(_dir, "first"));
            Directory.Delete(Path.Combine(_dir, "first"), recursive: true);
            Directory.Delete(folder, recursive: true);
            loaded.SaveTo(resaved);
            var again = PolicyTokenizer.LoadFrom(resaved);
            Assert.That(again.Encode(text), Is.EqualTo(first.Encode(text)), folder);
            Assert.That(again.Description, Is.EqualTo(first.Description), folder);
        }
    }

    [Test]
    public void FoldersWrittenByEarlierVersionsStillLoad()
    {
        // The layout the library wrote before Hugging Face tokenizers: a description as tokenizer.json, vocab.json and merges.txt beside it.
        File.WriteAllText(Path.Combine(_dir, "vocab.json"), JsonSerializer.Serialize(new Dictionary<string, int> { ["a"] = 0, ["b"] = 1, ["ab"] = 2, ["<|endoftext|>"] = 3 }));
        File.WriteAllLines(Path.Combine(_dir, "merges.txt"), new[] { "#version: 0.2", "a b" });
        File.WriteAllText(Path.Combine(_dir, "tokenizer.json"),
            """{"Kind":"bpe","VocabSize":4,"PadId":3,"BosId":3,"EosId":3,"VocabFile":"vocab.json","MergesFile":"merges.txt","EosToken":"<|endoftext|>"}""");
        var tok = PolicyTokenizer.LoadFrom(_dir);
        Assert.That(tok.Encode("abab<|endoftext|>"), Is.EqualTo(new[] { 2, 2, 3 }));
        Assert.That((tok.PrependBos, tok.BosId, tok.EosIds), Is.EqualTo((true, 3, new[] { 3 })));
    }

    [Test]
    public void UnsupportedModelTypesAndPreTokenizersAreNamed()
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(TokenizerJsonFixtures.Gpt2FixtureFolder, "tokenizer.json")))!.AsObject();
        json["model"]!["type"] = "WordPiece";
        var path = TokenizerJsonFixtures.Write(Path.Combine(_dir, "wordpiece"), json);
        var model = Assert.Throws<NotSupportedException>(() => PolicyTokenizer.FromTokenizerJson(path))!;
        Assert.That(model.Message, Does.Contain("\"WordPiece\"").And.Contain("BPE"));

        json["model"]!["type"] = "BPE";
        json["pre_tokenizer"] = new JsonObject { ["type"] = "Metaspace", ["replacement"] = "▁" };
        path = TokenizerJsonFixtures.Write(Path.Combine(_dir, "metaspace"), json);
        var pre = Assert.Throws<NotSupportedException>(() => PolicyTokenizer.FromTokenizerJson(path))!;
        Assert.That(pre.Message, Does.Contain("pre_tokenizer.type \"Metaspace\""));

        json["pre_tokenizer"] = new JsonObject { ["type"] = "ByteLevel" };
        json["normalizer"] = new JsonObject { ["type"] = "Lowercase" };
        path = TokenizerJsonFixtures.Write(Path.Combine(_dir, "lowercase"), json);
        Assert.That(Assert.Throws<NotSupportedException>(() => PolicyTokenizer.FromTokenizerJson(path))!.Message, Does.Contain("normalizer.type \"Lowercase\""));
    }

    [Test]
    public void AByteMissingFromTheVocabularyIsNamedUnlessAnUnknownTokenIsGiven()
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(TokenizerJsonFixtures.Gpt2FixtureFolder, "tokenizer.json")))!.AsObject();
        var vocab = json["model"]!["vocab"]!.AsObject();
        // Without "A" (and every merge and token that contains it) byte 0x41 cannot be written.
        json["model"]!["merges"] = new JsonArray(json["model"]!["merges"]!.AsArray().Select(m => m!.GetValue<string>())
            .Where(m => !m.Split(' ').Any(p => p.Contains('A'))).Select(m => (JsonNode)JsonValue.Create(m)!).ToArray());
        var missingA = vocab.Where(p => p.Key.Contains('A')).Select(p => p.Key).ToList();
        foreach (var k in missingA) vocab.Remove(k);
        vocab["<unk>"] = 1000;
        var path = TokenizerJsonFixtures.Write(Path.Combine(_dir, "no-a"), json);

        var error = Assert.Throws<ArgumentException>(() => PolicyTokenizer.FromTokenizerJson(path).Encode("xyz Abc>"))!;
        Assert.That(error.Message, Does.Contain("'A'").And.Contain("position 4"));
        var withUnknown = PolicyTokenizer.FromTokenizerJson(path, unknownToken: "<unk>");
        var ids = withUnknown.Encode("Abc>");
        Assert.That(ids[0], Is.EqualTo(1000));
        Assert.That(withUnknown.Decode(ids.Skip(1)), Is.EqualTo("bc>"));
    }
}
