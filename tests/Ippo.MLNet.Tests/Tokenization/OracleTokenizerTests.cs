using System.Text.Json;
using Ippo.MLNet.Core.Tokenization;
using NUnit.Framework;
using RustTokenizer = Tokenizers.DotNet.Tokenizer;

namespace Ippo.MLNet.Tests.Tokenization;

/// <summary>The tokenizer.json reader against the Rust Hugging Face tokenizers library (Tokenizers.DotNet), id for id.</summary>
public class OracleTokenizerTests
{
    private string _dir = "";

    [SetUp]
    public void CreateFolder() => _dir = Directory.CreateTempSubdirectory("ippo-oracle-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void TheGpt2FixtureGivesTheRustLibrarysIdsAndText()
    {
        var folder = TokenizerJsonFixtures.Gpt2FixtureFolder;
        var tok = PolicyTokenizer.FromTokenizerJson(Path.Combine(folder, "tokenizer.json"));
        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "expected.json")));
        Assert.That(tok.VocabSize, Is.EqualTo(expected.RootElement.GetProperty("vocab_size_including_added_tokens").GetInt32()));
        int cases = 0;
        foreach (var c in expected.RootElement.GetProperty("cases").EnumerateArray())
        {
            var text = c.GetProperty("text").GetString()!;
            var ids = c.GetProperty("ids").EnumerateArray().Select(x => x.GetInt32()).ToArray();
            Assert.That(tok.Encode(text), Is.EqualTo(ids), $"ids of {JsonSerializer.Serialize(text)}");
            Assert.That(tok.Decode(ids), Is.EqualTo(c.GetProperty("decoded").GetString()), $"decoded {JsonSerializer.Serialize(text)}");
            cases++;
        }
        Assert.That(cases, Is.GreaterThanOrEqualTo(30));
    }

    private static void AssertSameIdsAsTheRustLibrary(string tokenizerJson, bool oracleAddsBos, IEnumerable<string>? extra = null)
    {
        var tok = PolicyTokenizer.FromTokenizerJson(tokenizerJson);
        using var oracle = new RustTokenizer(vocabPath: tokenizerJson);
        var strings = OracleStrings.All().Concat(extra ?? Array.Empty<string>()).ToList();
        Assert.That(strings, Has.Count.GreaterThanOrEqualTo(200));
        var mismatches = new List<string>();
        foreach (var text in strings)
        {
            var expected = oracle.Encode(text).Select(x => (int)x).ToArray();
            var ours = tok.Encode(text);
            var withBos = oracleAddsBos && tok.PrependBos ? ours.Prepend(tok.BosId).ToArray() : ours;
            if (!withBos.SequenceEqual(expected))
                mismatches.Add($"{JsonSerializer.Serialize(text)}: expected [{string.Join(",", expected)}] got [{string.Join(",", withBos)}]");
            // The wrapper decodes with skip_special_tokens=true, as Decode does by default.
            else if (tok.Decode(ours) != oracle.Decode(expected.Select(x => (uint)x).ToArray()))
                mismatches.Add($"{JsonSerializer.Serialize(text)}: decoded differently");
        }
        Assert.That(mismatches, Is.Empty, string.Join("\n", mismatches.Take(20)));
    }

    [Test]
    public void Gpt2StyleGivesTheRustLibrarysIdsOnTwoHundredStrings() =>
        AssertSameIdsAsTheRustLibrary(Path.Combine(TokenizerJsonFixtures.Gpt2FixtureFolder, "tokenizer.json"), oracleAddsBos: false);

    [Test]
    public void Gpt2StyleWithPairMergesGivesTheSameIds() =>
        AssertSameIdsAsTheRustLibrary(TokenizerJsonFixtures.WriteGpt2WithPairMerges(_dir), oracleAddsBos: false);

    [TestCase(false)]
    [TestCase(true)]
    public void SmolLmStyleDigitsGiveTheRustLibrarysIds(bool addPrefixSpace) =>
        AssertSameIdsAsTheRustLibrary(TokenizerJsonFixtures.WriteSmolLmStyle(_dir, addPrefixSpace), oracleAddsBos: false);

    [Test]
    public void Qwen2StyleGivesTheRustLibrarysIdsOnTwoHundredStrings() =>
        AssertSameIdsAsTheRustLibrary(TokenizerJsonFixtures.WriteQwen2Style(_dir), oracleAddsBos: false);

    [Test]
    public void AddedTokensThatStripOrMatchWholeWordsGiveTheRustLibrarysIds() =>
        AssertSameIdsAsTheRustLibrary(TokenizerJsonFixtures.WriteWithStrippingAddedTokens(_dir), oracleAddsBos: false, extra: new[]
        {
            "a  <mask> b", "<mask>x", "x<mask>", "a [SEP]  b", "[SEP]\n\nnext", " [SEP]", "hello world", "say hello", "sayhello", "hello_x",
            "hellohello", "hello, hello!", "\thello\t", "1hello", "a <mask>[SEP] <mask>  [SEP]  z",
        });

    [Test]
    public void Llama3StyleGivesTheRustLibrarysIdsOnTwoHundredStrings()
    {
        var path = TokenizerJsonFixtures.WriteLlama3Style(_dir);
        Assert.That(PolicyTokenizer.FromTokenizerJson(path).PrependBos, Is.True, "the post-processor puts <|begin_of_text|> first");
        AssertSameIdsAsTheRustLibrary(path, oracleAddsBos: true);
    }
}
