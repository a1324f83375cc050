using Ippo.MLNet.Core.Generation;
using Ippo.MLNet.Core.Models;
using NUnit.Framework;
using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Tests.Models;

public class GenerationTests
{
    private static long[] Flat(Tensor t) => t.cpu().to(ScalarType.Int64).data<long>().ToArray();
    private static float[] FlatF(Tensor t) => t.cpu().to(ScalarType.Float32).data<float>().ToArray();

    [Test]
    public void KvCacheGreedyEqualsRecomputingTheWholeSequence()
    {
        using var model = TinyModels.Model(seed: 11);
        using var generator = new TextGenerator(model, TinyModels.Pad, TinyModels.Eos);
        var greedy = new GenerationOptions { Temperature = 0, MaxNewTokens = 16 };
        using var cached = generator.Generate(TinyModels.RaggedPrompts, greedy);
        using var uncached = generator.Generate(TinyModels.RaggedPrompts, greedy with { UseKvCache = false });
        Assert.That(Flat(cached.Tokens), Is.EqualTo(Flat(uncached.Tokens)));
        Assert.That(Flat(cached.Mask), Is.EqualTo(Flat(uncached.Mask)));
        Assert.That(FlatF(cached.LogProbs), Is.EqualTo(FlatF(uncached.LogProbs)).Within(1e-5));
        Assert.That(cached.Tokens.shape[1], Is.GreaterThan(1));
    }

    [Test]
    public void APromptGivesTheSameGreedyCompletionAloneAndInAPaddedBatch()
    {
        using var model = TinyModels.Model(seed: 12);
        using var generator = new TextGenerator(model, TinyModels.Pad, TinyModels.Eos);
        var greedy = new GenerationOptions { Temperature = 0, MaxNewTokens = 10 };
        using var batch = generator.Generate(TinyModels.RaggedPrompts, greedy);
        var batched = batch.CompletionIds();
        for (int i = 0; i < TinyModels.RaggedPrompts.Length; i++)
        {
            using var alone = generator.Generate(new[] { TinyModels.RaggedPrompts[i] }, greedy);
            Assert.That(alone.CompletionIds()[0], Is.EqualTo(batched[i]), $"prompt {i}");
        }
    }

    [TestCase(0.7, 0, 1.0)]
    [TestCase(1.0, 5, 0.9)]
    public void ReturnedLogProbsEqualAForwardPassOverTheCompletion(double temperature, int topK, double topP)
    {
        using var model = TinyModels.Model(seed: 13);
        using var generator = new TextGenerator(model, TinyModels.Pad, TinyModels.Eos, seed: 5);
        using var result = generator.Generate(TinyModels.RaggedPrompts,
            new GenerationOptions { Temperature = temperature, TopK = topK, TopP = topP, MaxNewTokens = 12 });
        using var _ = no_grad();
        var (logProbs, entropy) = SequenceScoring.LogProbsAndEntropy(
            model, result.PromptTokens, result.PromptMask, result.Tokens, result.Mask, temperature);
        Assert.That(FlatF(logProbs), Is.EqualTo(FlatF(result.LogProbs)).Within(1e-5));
        var masked = FlatF(entropy).Zip(FlatF(result.Mask)).Where(p => p.Second > 0).Select(p => p.First).ToList();
        Assert.That(masked, Has.All.GreaterThan(0).And.All.LessThanOrEqualTo(Math.Log(20) + 1e-4));
    }

    [Test]
    public void TheSameSeedGivesTheSameSamplesAndAnotherSeedDiffers()
    {
        using var model = TinyModels.Model(seed: 14);
        var options = new GenerationOptions { Temperature = 1.0, MaxNewTokens = 20 };
        long[] Sample(long seed)
        {
            using var g = new TextGenerator(model, TinyModels.Pad, TinyModels.Eos, seed);
            using var r = g.Generate(TinyModels.RaggedPrompts, options);
            return Flat(r.Tokens);
        }
        Assert.That(Sample(1), Is.EqualTo(Sample(1)));
        Assert.That(Sample(2), Is.Not.EqualTo(Sample(1)));
    }

    [Test]
    public void RowsStopAtTheirOwnEosAndArePaddedAfterIt()
    {
        using var model = TinyModels.Model(seed: 15);
        // Make EOS the most likely token only after token 6 by biasing nothing: instead pick the greedy output's
        // first token as an extra stop id, so the first row stops at once while others may continue.
        using var generator = new TextGenerator(model, TinyModels.Pad, TinyModels.Eos);
        var greedy = new GenerationOptions { Temperature = 0, MaxNewTokens = 8 };
        using var first = generator.Generate(TinyModels.RaggedPrompts, greedy);
        int stopId = (int)Flat(first.Tokens)[0];
        using var stopped = generator.Generate(TinyModels.RaggedPrompts, greedy with { StopTokenIds = new[] { stopId } });
        var mask = FlatF(stopped.Mask);
        long width = stopped.Tokens.shape[1];
        Assert.That(stopped.EndedWithStop[0], Is.True);
        Assert.That(mask[0], Is.EqualTo(1f));
        Assert.That(mask.Skip(1).Take((int)width - 1), Has.All.EqualTo(0f), "row 0 is padding after its stop token");
        Assert.That(stopped.CompletionIds()[0], Is.Empty, "the stop token is not part of the completion ids");
        var tokens = Flat(stopped.Tokens);
        for (int j = 1; j < width; j++) Assert.That(tokens[j], Is.EqualTo(TinyModels.Pad));
    }

    [Test]
    public void TopKOfOneSamplesTheGreedyToken()
    {
        using var model = TinyModels.Model(seed: 16);
        using var generator = new TextGenerator(model, TinyModels.Pad, TinyModels.Eos, seed: 3);
        using var greedy = generator.Generate(TinyModels.RaggedPrompts, new GenerationOptions { Temperature = 0, MaxNewTokens = 8 });
        using var topOne = generator.Generate(TinyModels.RaggedPrompts, new GenerationOptions { Temperature = 1.3, TopK = 1, MaxNewTokens = 8 });
        Assert.That(Flat(topOne.Tokens), Is.EqualTo(Flat(greedy.Tokens)));
    }

    [Test]
    public void TopPKeepsTheSmallestSetReachingP()
    {
        // probabilities 0.5, 0.3, 0.15, 0.05: p = 0.75 keeps the first two, p = 0.85 the first three.
        using var logits = tensor(new[] { Math.Log(0.5), Math.Log(0.3), Math.Log(0.15), Math.Log(0.05) }).unsqueeze(0);
        using var keepTwo = TokenSampler.Filter(logits, 0, 0.75);
        using var keepThree = TokenSampler.Filter(logits, 0, 0.85);
        using var topTwo = TokenSampler.Filter(logits, 2, 1.0);
        bool[] Kept(Tensor t) => t.isfinite().data<bool>().ToArray();
        Assert.That(Kept(keepTwo), Is.EqualTo(new[] { true, true, false, false }));
        Assert.That(Kept(keepThree), Is.EqualTo(new[] { true, true, true, false }));
        Assert.That(Kept(topTwo), Is.EqualTo(new[] { true, true, false, false }));
    }

    [Test]
    public void TwentyGenerateCallsLeaveNoLiveTensorsBehind()
    {
        using var model = TinyModels.Model(seed: 17);
        using var generator = new TextGenerator(model, TinyModels.Pad, TinyModels.Eos, seed: 3);
        var options = new GenerationOptions { Temperature = 1.0, MaxNewTokens = 12 };
        using (generator.Generate(TinyModels.RaggedPrompts, options)) { }
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 20; i++)
        {
            using var result = generator.Generate(TinyModels.RaggedPrompts, options);
        }
        Assert.That(DisposeScopeManager.Statistics.ThreadTotalLiveCount, Is.EqualTo(before));
    }

    private static IEnumerable<TestCaseData> BadInputs()
    {
        yield return new TestCaseData(new[] { new[] { 3 }, Array.Empty<int>() }, new GenerationOptions(), "Prompt 1 is empty").SetName("EmptyPrompt");
        yield return new TestCaseData(Array.Empty<int[]>(), new GenerationOptions(), "At least one prompt").SetName("NoPrompts");
        yield return new TestCaseData(new[] { Enumerable.Repeat(3, 49).ToArray() }, new GenerationOptions { MaxNewTokens = 1 }, "context length 48").SetName("PromptLongerThanContext");
        yield return new TestCaseData(new[] { Enumerable.Repeat(3, 40).ToArray() }, new GenerationOptions { MaxNewTokens = 9 }, "MaxNewTokens 9").SetName("PromptPlusNewTokensTooLong");
        yield return new TestCaseData(new[] { new[] { 3 } }, new GenerationOptions { MaxNewTokens = 0 }, "MaxNewTokens").SetName("ZeroNewTokens");
        yield return new TestCaseData(new[] { new[] { 3 } }, new GenerationOptions { Temperature = -0.5 }, "Temperature").SetName("NegativeTemperature");
        yield return new TestCaseData(new[] { new[] { 3 } }, new GenerationOptions { TopP = 0 }, "TopP").SetName("TopPZero");
        yield return new TestCaseData(new[] { new[] { 3 } }, new GenerationOptions { TopP = 1.5 }, "TopP").SetName("TopPAboveOne");
        yield return new TestCaseData(new[] { new[] { 3 } }, new GenerationOptions { TopK = -1 }, "TopK").SetName("NegativeTopK");
        yield return new TestCaseData(new[] { new[] { 3, 25 } }, new GenerationOptions(), "Token id 25").SetName("TokenOutsideVocabulary");
    }

    [TestCaseSource(nameof(BadInputs))]
    public void BadInputIsRejectedWithAMessageNamingTheProblem(int[][] prompts, GenerationOptions options, string expected)
    {
        using var model = TinyModels.Model();
        using var generator = new TextGenerator(model, TinyModels.Pad, TinyModels.Eos);
        var error = Assert.Catch<ArgumentException>(() => generator.Generate(prompts, options))!;
        Assert.That(error.Message, Does.Contain(expected));
    }
}
