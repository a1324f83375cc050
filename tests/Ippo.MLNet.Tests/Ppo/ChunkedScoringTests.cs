using Ippo.MLNet.Core.Generation;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using NUnit.Framework;
using TorchSharp;
using static Ippo.MLNet.Tests.Reliability.ReliabilityFixtures;
using static TorchSharp.torch;

namespace Ippo.MLNet.Tests.Ppo;

/// <summary>Row-chunked no-grad scoring (PpoOptions.ScoringChunkSize) against the whole batch at once.</summary>
public class ChunkedScoringTests
{
    // Ten episodes of a tiny policy: left-padded prompts of different lengths, right-padded completions.
    private static (Policy Policy, GenerationResult Generated) Episodes()
    {
        var policy = TinyPolicy();
        using var generator = new TextGenerator(policy, seed: 3);
        var prompts = Prompts.Take(10).Select(p => policy.EncodePrompt(p.Prompt)).ToList();
        return (policy, generator.Generate(prompts, new GenerationOptions { MaxNewTokens = 8 }));
    }

    private static Tensor Score(Policy policy, GenerationResult g, int? chunk)
    {
        using var noGrad = no_grad();
        return ChunkedScoring.ByRows(new[] { g.PromptTokens, g.PromptMask, g.Tokens, g.Mask }, chunk,
            x => new[] { SequenceScoring.LogProbsAndEntropy(policy.Model, x[0], x[1], x[2], x[3]).LogProbs })[0];
    }

    [Test]
    public void ChunksOfRowsGiveTheWholeBatchsLogProbsUpToFloatRounding()
    {
        using var scope = NewDisposeScope();
        var (policy, generated) = Episodes();
        using var _ = policy;
        using var __ = generated;
        var whole = Score(policy, generated, null);
        foreach (var chunk in new[] { 1, 3, 4 })
        {
            var chunked = Score(policy, generated, chunk);
            Assert.That(chunked.shape, Is.EqualTo(whole.shape));
            // Each row sees the same inputs (the batch's padded widths); only the matmuls' blocking may differ with the
            // row count. Log-probs are O(log vocab) ~ 3; float32 sums of <= 64 products (width 32, one layer, head)
            // round to within ~64 * 1.2e-7 relative: 1e-4 absolute leaves room for the softmax's log.
            double gap = (chunked - whole).abs().max().ToDouble();
            Assert.That(gap, Is.LessThanOrEqualTo(1e-4), $"chunk {chunk}");
        }
        // A single chunk (the batch or more) is the whole batch's call on the same tensors: bit-identical.
        foreach (var chunk in new[] { 10, 16, 0 })
            Assert.That(Score(policy, generated, chunk).equal(whole).all().item<bool>(), Is.True, $"chunk {chunk}");
    }

    [Test]
    public void EveryChunksIntermediatesAreFreedWithItsScope()
    {
        using var scope = NewDisposeScope();
        var (policy, generated) = Episodes();
        using var _ = policy;
        using var __ = generated;
        var inputs = new[] { generated.PromptTokens, generated.PromptMask, generated.Tokens, generated.Mask };
        var made = new List<Tensor>();
        var result = ChunkedScoring.ByRows(inputs, 4, x =>
        {
            var hidden = SequenceScoring.ResponseHidden(policy.Model, x[0], x[1], x[2], x[3]);
            made.Add(hidden);
            return new[] { hidden.sum(dim: -1) };
        });
        Assert.That(made, Has.Count.EqualTo(3), "10 rows in chunks of 4");
        Assert.That(made.All(t => t.IsInvalid), Is.True, "each chunk's intermediates die with its scope");
        Assert.That(result[0].shape, Is.EqualTo(new long[] { 10, generated.Tokens.shape[1] }));
    }

    [Test]
    public void InputsWithDifferentRowsAndNegativeChunksAreRefused()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => ChunkedScoring.ByRows(new[] { zeros(3, 2), zeros(4, 2) }, 2, x => x));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ChunkedScoring.ByRows(new[] { zeros(3, 2) }, -1, x => x))!;
        Assert.That(e.ParamName, Is.EqualTo("chunkSize"));
    }

    [TestCase(-1)]
    [TestCase(65_537)]
    public void TheOptionIsValidatedWithItsNameAndRange(int chunk)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new PpoOptions { ScoringChunkSize = chunk }.Validate())!;
        Assert.That(e.Message, Does.Contain("PpoOptions.ScoringChunkSize").And.Contain("[0, 65536]"));
    }

    [TestCase(0)]
    [TestCase(65_537)]
    public void TheMicroBatchOptionIsValidatedWithItsNameAndRange(int micro)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new PpoOptions { MicroBatchSize = micro }.Validate())!;
        Assert.That(e.Message, Does.Contain("PpoOptions.MicroBatchSize").And.Contain("[1, 65536]"));
    }

    [Test]
    public void AChunkedRolloutScoresLikeTheWholeBuffer()
    {
        using var scope = NewDisposeScope();
        using var policy = TinyPolicy();
        using var copy = policy.Clone();
        var options = Small with { EpisodesPerIteration = 10, KlCoefficient = 0.05 };
        using var whole = new PpoTrainer(policy, ArithmeticReward.Create(), options with { ScoringChunkSize = null });
        using var chunked = new PpoTrainer(copy, ArithmeticReward.Create(), options with { ScoringChunkSize = 3 });
        // The value head starts at zero output: give both critics the same non-zero head so the values say something.
        using (no_grad())
            foreach (var trainer in new[] { whole, chunked })
                foreach (var (name, p) in trainer.Critic!.named_parameters().Where(p => p.name.StartsWith("value_head.", StringComparison.Ordinal)))
                {
                    using var generator = new TorchSharp.torch.Generator(7);
                    p.copy_(randn(p.shape, generator: generator) * 0.5);
                }
        using var a = whole.CollectRollout(Prompts, new Dictionary<string, double>());
        using var b = chunked.CollectRollout(Prompts, new Dictionary<string, double>());
        Assert.That(b.ResponseTokens.equal(a.ResponseTokens).all().item<bool>(), Is.True, "same seed, same episodes");
        // Same tolerance as above: reference log-probs O(3), values O(1), float32 rounding of width-32 sums.
        Assert.That((b.RefLogProbs! - a.RefLogProbs!).abs().max().ToDouble(), Is.LessThanOrEqualTo(1e-4));
        Assert.That((b.Values! - a.Values!).abs().max().ToDouble(), Is.LessThanOrEqualTo(1e-4));
    }
}
