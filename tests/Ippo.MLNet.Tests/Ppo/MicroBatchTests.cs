using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using NUnit.Framework;
using TorchSharp;
using static Ippo.MLNet.Tests.Reliability.ReliabilityFixtures;
using static TorchSharp.torch;

namespace Ippo.MLNet.Tests.Ppo;

/// <summary>Gradient accumulation over micro-batches (PpoOptions.MicroBatchSize) against the unsplit minibatch.</summary>
public class MicroBatchTests
{
    // Ten episodes, micro-batches of 3 (3 + 3 + 3 + 1 rows: uneven, so a per-micro-batch mean would weigh rows wrongly).
    private const int Episodes = 10;

    private static IEnumerable<TestCaseData> Cases()
    {
        var ppo = Small with { EpisodesPerIteration = Episodes, MaxGradNorm = 0, KlCoefficient = 0.05, EntropyCoefficient = 0.01 };
        yield return new TestCaseData(ppo with { LossAggregation = LossAggregation.TokenMean }).SetName("GaeTokenMeanSeparateCritic");
        yield return new TestCaseData(ppo with { LossAggregation = LossAggregation.SequenceMeanTokenMean, ValueHead = ValueHeadPlacement.SharedTrunk }).SetName("GaeSequenceMeanTokenMeanSharedHead");
        yield return new TestCaseData(ppo with { LossAggregation = LossAggregation.SequenceMeanTokenSum }).SetName("GaeSequenceMeanTokenSum");
        var grpo = PpoOptions.Grpo with { EpisodesPerIteration = Episodes, SamplesPerPrompt = 2, MaxNewTokens = 12, Seed = 5, MaxGradNorm = 0, KlCoefficient = 0.05 };
        yield return new TestCaseData(grpo with { LossType = "dr_grpo" }).SetName("GrpoDrGrpoKlLoss");
        yield return new TestCaseData(grpo with { LossType = "dapo", MaskTruncatedCompletions = true }).SetName("GrpoDapoMaskedTruncated");
    }

    [TestCaseSource(nameof(Cases))]
    public void AccumulatedGradientsEqualTheUnsplitMinibatchs(PpoOptions options)
    {
        using var scope = NewDisposeScope();
        using var policy = TinyPolicy();
        using var copy = policy.Clone();
        using var whole = new PpoTrainer(policy, ArithmeticReward.Create(), options with { MicroBatchSize = null });
        using var split = new PpoTrainer(copy, ArithmeticReward.Create(), options with { MicroBatchSize = 3 });
        using var buffer = whole.CollectRollout(Prompts, new Dictionary<string, double>());
        // The same rollout on the other trainer (it resolves the rollout length dr_grpo divides by); the first buffer is the one scored.
        split.CollectRollout(Prompts, new Dictionary<string, double>()).Dispose();
        var rows = Enumerable.Range(0, Episodes).Reverse().ToArray();
        var a = whole.AccumulateGradients(buffer, rows)!;
        var b = split.AccumulateGradients(buffer, rows)!;

        var pairs = Gradients(whole).Zip(Gradients(split)).ToList();
        Assert.That(pairs, Is.Not.Empty);
        double largest = pairs.Max(p => p.First.Grad.abs().max().ToDouble());
        Assert.That(largest, Is.GreaterThan(0), "the loss reaches the parameters");
        foreach (var ((name, g1), (_, g2)) in pairs)
        {
            // The same per-token terms summed in another order (per micro-batch, then across them): float32 sums of
            // <= 10 x 12 terms per weight differ by <= n * 1.2e-7 of the summed magnitudes; 1e-5 of the largest gradient
            // entry bounds that with room, while a micro-batch mean with the wrong normaliser is off by ~30%.
            double gap = (g1 - g2).abs().max().ToDouble();
            Assert.That(gap, Is.LessThanOrEqualTo(1e-5 * largest + 1e-9), name);
        }
        // The statistics come from the whole minibatch either way.
        for (int k = 0; k < a.Length; k++) Assert.That(b[k], Is.EqualTo(a[k]).Within(1e-5 * Math.Max(1, Math.Abs(a[k]))), $"statistic {k}");
    }

    [Test]
    public void AMicroBatchAsLargeAsTheMinibatchIsTheUnsplitStepBitForBit()
    {
        using var scope = NewDisposeScope();
        var options = Small with { EpisodesPerIteration = Episodes, MaxGradNorm = 0 };
        using var policy = TinyPolicy();
        using var copy = policy.Clone();
        using var whole = new PpoTrainer(policy, ArithmeticReward.Create(), options);
        using var same = new PpoTrainer(copy, ArithmeticReward.Create(), options with { MicroBatchSize = Episodes });
        using var buffer = whole.CollectRollout(Prompts, new Dictionary<string, double>());
        same.CollectRollout(Prompts, new Dictionary<string, double>()).Dispose();
        var rows = Enumerable.Range(0, Episodes).ToArray();
        whole.AccumulateGradients(buffer, rows);
        same.AccumulateGradients(buffer, rows);
        foreach (var ((name, g1), (_, g2)) in Gradients(whole).Zip(Gradients(same)))
            Assert.That(g1.equal(g2).all().item<bool>(), Is.True, name);
    }

    // Every trainable parameter's gradient, policy (and shared head) then critic, by name.
    private static List<(string Name, Tensor Grad)> Gradients(PpoTrainer trainer)
    {
        var named = trainer.Policy.named_parameters().Select(p => ("policy." + p.name, p.parameter)).ToList();
        if (trainer.SharedValueHead is { } head) named.AddRange(head.named_parameters().Select(p => ("head." + p.name, p.parameter)));
        if (trainer.Critic is { } critic) named.AddRange(critic.named_parameters().Select(p => ("critic." + p.name, p.parameter)));
        return named.Where(p => p.parameter.grad is not null).Select(p => (p.Item1, p.parameter.grad!)).ToList();
    }
}
