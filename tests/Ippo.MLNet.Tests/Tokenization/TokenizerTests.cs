using System.Text.Json;
using Ippo.MLNet.Core.Tokenization;
using NUnit.Framework;

namespace Ippo.MLNet.Tests.Tokenization;

public class TokenizerTests
{
    private string _dir = "";

    [SetUp]
    public void CreateFolder() => _dir = Directory.CreateTempSubdirectory("ippo-tok-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void Gpt2IdsForHelloWorldAreTheKnownOnes()
    {
        var gpt2 = PolicyTokenizer.CreateGpt2();
        Assert.That(gpt2.Encode("Hello world"), Is.EqualTo(new[] { 15496, 995 }));
        Assert.That(gpt2.Decode(new[] { 15496, 995, 50256 }), Is.EqualTo("Hello world"));
        Assert.That((gpt2.VocabSize, gpt2.EosId), Is.EqualTo((50257, 50256)));
    }

    [TestCase("23+45-12=")]
    [TestCase("23+45=68,68-12=56;56")]
    [TestCase("7*3 = 21; -4")]
    public void TheBuiltInVocabularyRoundTrips(string text)
    {
        var tok = PolicyTokenizer.CreateArithmetic();
        var ids = tok.Encode(text);
        Assert.That(ids, Has.Length.EqualTo(text.Length), "one id per character");
        Assert.That(ids, Has.All.InRange(3, tok.VocabSize - 1), "no character maps to a special id");
        Assert.That(tok.Decode(ids), Is.EqualTo(text));
    }

    [Test]
    public void TheBuiltInVocabularyHasFixedIds()
    {
        var tok = PolicyTokenizer.CreateArithmetic();
        Assert.That((tok.PadId, tok.BosId, tok.EosId, tok.VocabSize), Is.EqualTo((0, 1, 2, 3 + PolicyTokenizer.ArithmeticAlphabet.Length)));
        Assert.That(tok.Encode("0"), Is.EqualTo(new[] { 3 }));
        Assert.That(tok.Encode(";"), Is.EqualTo(new[] { 3 + PolicyTokenizer.ArithmeticAlphabet.IndexOf(';') }));
        Assert.That(tok.Decode(new[] { 1, 3, 4, 2, 0, 0 }), Is.EqualTo("01"), "special ids are skipped");
    }

    [TestCase("2a+3", 'a', 1)]
    [TestCase("1+é", 'é', 2)]
    public void AnUnknownCharacterIsNamedWithItsPosition(string text, char bad, int position)
    {
        var error = Assert.Throws<ArgumentException>(() => PolicyTokenizer.CreateArithmetic().Encode(text))!;
        Assert.That(error.Message, Does.Contain($"'{bad}'").And.Contain($"position {position}"));
    }

    [Test]
    public void DecodeRejectsIdsOutsideTheVocabulary()
    {
        var tok = PolicyTokenizer.CreateArithmetic();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => tok.Decode(new[] { 3, tok.VocabSize }))!;
        Assert.That(error.Message, Does.Contain($"Token id {tok.VocabSize}"));
    }

    private (string vocab, string merges) WriteTinyBpe()
    {
        // Byte-level BPE: printable ASCII bytes map to themselves, the space byte to 'Ġ' (GPT-2's byte-to-unicode map).
        var vocab = new Dictionary<string, int>
        {
            ["H"] = 0, ["e"] = 1, ["l"] = 2, ["o"] = 3, ["Ġ"] = 4, ["w"] = 5, ["r"] = 6, ["d"] = 7,
            ["He"] = 8, ["ll"] = 9, ["Hell"] = 10, ["Hello"] = 11, ["Ġw"] = 12, ["<|endoftext|>"] = 13,
        };
        var vocabPath = Path.Combine(_dir, "vocab.json");
        var mergesPath = Path.Combine(_dir, "merges.txt");
        File.WriteAllText(vocabPath, JsonSerializer.Serialize(vocab));
        File.WriteAllLines(mergesPath, new[] { "#version: 0.2", "H e", "l l", "He ll", "Hell o", "Ġ w" });
        return (vocabPath, mergesPath);
    }

    [Test]
    public void BpeFromVocabAndMergesAppliesByteLevelMerges()
    {
        var (vocab, merges) = WriteTinyBpe();
        var tok = PolicyTokenizer.FromBpeFiles(vocab, merges);
        // "Hello" merges fully; " world" pre-tokenizes as "Ġworld" -> "Ġw" + o r l d.
        Assert.That(tok.Encode("Hello world"), Is.EqualTo(new[] { 11, 12, 3, 6, 2, 7 }));
        Assert.That(tok.Decode(tok.Encode("Hello world")), Is.EqualTo("Hello world"));
        Assert.That((tok.VocabSize, tok.EosId, tok.PadId), Is.EqualTo((14, 13, 13)));
    }

    [Test]
    public void MissingBpeFilesAreNamed()
    {
        var (vocab, _) = WriteTinyBpe();
        var missing = Path.Combine(_dir, "nope.txt");
        var error = Assert.Throws<FileNotFoundException>(() => PolicyTokenizer.FromBpeFiles(vocab, missing))!;
        Assert.That(error.Message, Does.Contain(missing));
    }

    [Test]
    public void EveryKindSavesAndLoadsToTheSameIds()
    {
        var (vocab, merges) = WriteTinyBpe();
        var cases = new[]
        {
            (PolicyTokenizer.CreateArithmetic(), "12+3=15;15"),
            (PolicyTokenizer.CreateGpt2(), "Hello world, 12 apples."),
            (PolicyTokenizer.FromBpeFiles(vocab, merges), "Hello world"),
            (PolicyTokenizer.FromCharacters("abc> "), "abc> cba"),
            (PolicyTokenizer.FromCharacters("abc>", unknownToken: "<unk>"), "abcZ>"),
        };
        foreach (var (tok, text) in cases)
        {
            var folder = Path.Combine(_dir, "saved-" + tok.Description.Kind + tok.Description.UnknownToken?.Length);
            tok.SaveTo(folder);
            var loaded = PolicyTokenizer.LoadFrom(folder);
            Assert.That(loaded.Description, Is.EqualTo(tok.Description), tok.Description.Kind);
            Assert.That(loaded.Encode(text), Is.EqualTo(tok.Encode(text)), tok.Description.Kind);
        }
    }

    [Test]
    public void AMissingOrBrokenDescriptionIsNamed()
    {
        var missing = Assert.Throws<FileNotFoundException>(() => PolicyTokenizer.LoadFrom(_dir))!;
        Assert.That(missing.Message, Does.Contain(PolicyTokenizer.DescriptionFile));
        File.WriteAllText(Path.Combine(_dir, PolicyTokenizer.DescriptionFile), "{ not json");
        var broken = Assert.Throws<InvalidDataException>(() => PolicyTokenizer.LoadFrom(_dir))!;
        Assert.That(broken.Message, Does.Contain(PolicyTokenizer.DescriptionFile));
    }

    [Test]
    public void FromCharactersPutsTheSpecialsFirstAndRoundTrips()
    {
        var tok = PolicyTokenizer.FromCharacters("abc>");
        Assert.That((tok.PadId, tok.BosId, tok.EosId, tok.VocabSize, tok.PrependBos), Is.EqualTo((0, 1, 2, 7, true)));
        Assert.That(tok.Encode("cab>"), Is.EqualTo(new[] { 5, 3, 4, 6 }));
        Assert.That(tok.Decode(new[] { 1, 5, 3, 4, 6, 2, 0 }), Is.EqualTo("cab>"));
    }

    [Test]
    public void FromCharactersNamesAnUnknownCharacterOrMapsItToTheUnknownToken()
    {
        var error = Assert.Throws<ArgumentException>(() => PolicyTokenizer.FromCharacters("abc>").Encode("Abc>"))!;
        Assert.That(error.Message, Does.Contain("'A'").And.Contain("position 0").And.Contain("unknownToken"));
        var tok = PolicyTokenizer.FromCharacters("abc>", unknownToken: "<unk>");
        Assert.That(tok.Encode("Abc>"), Is.EqualTo(new[] { 3, 5, 6, 7 }), "<unk> takes id 3, after pad, bos, eos");
        Assert.That(tok.Decode(new[] { 1, 3, 5, 2 }), Is.EqualTo("b"));
        Assert.That(tok.Decode(new[] { 1, 3, 5, 2 }, skipSpecialTokens: false), Is.EqualTo("<bos><unk>b<eos>"));
        Assert.Throws<ArgumentException>(() => PolicyTokenizer.FromCharacters("abca"), "a repeated character");
        Assert.Throws<ArgumentException>(() => PolicyTokenizer.FromCharacters("ab", unknownToken: "<eos>"), "an unknown token that is another special");
    }

    [Test]
    public void AVocabularyWithoutMergesNamesAnUnknownCharacterInsteadOfDroppingIt()
    {
        // Issue 13: a hand-written vocab.json without merges used to drop unknown characters silently ("Abc>" decoded to "bc>").
        var vocab = Path.Combine(_dir, "vocab.json");
        var merges = Path.Combine(_dir, "merges.txt");
        File.WriteAllText(vocab, JsonSerializer.Serialize(new Dictionary<string, int> { ["a"] = 0, ["b"] = 1, ["c"] = 2, [">"] = 3, ["<|endoftext|>"] = 4 }));
        File.WriteAllText(merges, "#version: 0.2\n");
        var tok = PolicyTokenizer.FromBpeFiles(vocab, merges);
        Assert.That(tok.Decode(tok.Encode("abc>")), Is.EqualTo("abc>"));
        var error = Assert.Throws<ArgumentException>(() => tok.Encode("cab Abc>"))!;
        Assert.That(error.Message, Does.Contain("' '").And.Contain("position 3"), "the space byte (Ġ) is not in this vocabulary either");
        error = Assert.Throws<ArgumentException>(() => tok.Encode("cabAbc>"))!;
        Assert.That(error.Message, Does.Contain("'A'").And.Contain("position 3"));
    }
}
