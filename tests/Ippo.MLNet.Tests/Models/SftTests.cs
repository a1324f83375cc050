using Ippo.MLNet.Core.Training;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Ippo.MLNet.Tests.Models;

public class SftTests
{
    [Test]
    public void TheLossCountsCompletionTokensOnly()
    {
        using var model = TinyModels.Model(seed: 41);
        var a = new TokenizedExample(new[] { 3, 4 }, new[] { 5, 2 });
        var b = new TokenizedExample(new[] { 9, 9, 9, 3, 4 }, new[] { 5, 2 });
        using var _ = no_grad();
        model.eval();
        using var batchA = TrainingBatch.Collate(new[] { a }, 0, CPU);
        using var lossA = SftLoss.Compute(model, batchA);
        // Token-mean over the mask: one example with 2 completion tokens and one with 4 weighs tokens equally.
        var c = new TokenizedExample(new[] { 3, 4 }, new[] { 5, 2, 6, 2 });
        using var batchAc = TrainingBatch.Collate(new[] { a, c }, 0, CPU);
        using var lossAc = SftLoss.Compute(model, batchAc);
        using var batchC = TrainingBatch.Collate(new[] { c }, 0, CPU);
        using var lossC = SftLoss.Compute(model, batchC);
        Assert.That(lossAc.item<float>(), Is.EqualTo((2 * lossA.item<float>() + 4 * lossC.item<float>()) / 6).Within(1e-5));
        using var batchB = TrainingBatch.Collate(new[] { b }, 0, CPU);
        using var lossB = SftLoss.Compute(model, batchB);
        Assert.That(lossB.item<float>(), Is.Not.EqualTo(lossA.item<float>()), "the prompt is context and changes the loss");
    }

    [Test]
    public void TrainingLearnsAFixedMappingAndIsDeterministic()
    {
        var examples = Enumerable.Range(3, 8).Select(i => new TokenizedExample(new[] { i }, new[] { i + 8, 2 })).ToList();
        var options = new SftOptions { Steps = 120, BatchSize = 8, LearningRate = 3e-3, WarmupSteps = 10, LogEvery = 40, Seed = 4 };
        double Train(out List<double> losses)
        {
            using var model = TinyModels.Model(seed: 42);
            var seen = new List<double>();
            var final = SftTrainer.Train(model, examples, 0, options, p => seen.Add(p.Loss));
            losses = seen;
            return final;
        }
        var first = Train(out var losses);
        var second = Train(out _);
        Assert.That(losses, Has.Count.EqualTo(3));
        Assert.That(losses[^1], Is.LessThan(0.2 * losses[0]), "the loss falls by 5x on a learnable mapping");
        Assert.That(second, Is.EqualTo(first), "the same seed gives the same run");
    }

    [Test]
    public void AdamBetasReachTheOptimizer()
    {
        // Same seed and data, only beta2 differs: the first step is identical (bias correction makes Adam's first step
        // sign-like for any beta2), later steps differ because the second moment decays at a different rate.
        var examples = Enumerable.Range(3, 8).Select(i => new TokenizedExample(new[] { i }, new[] { i + 8, 2 })).ToList();
        List<double> Losses(double beta2)
        {
            using var model = TinyModels.Model(seed: 42);
            var seen = new List<double>();
            SftTrainer.Train(model, examples, 0, new SftOptions { Steps = 6, BatchSize = 8, LogEvery = 1, WarmupSteps = 0, Seed = 4, AdamBeta2 = beta2 }, p => seen.Add(p.Loss));
            return seen;
        }
        var standard = Losses(0.999);
        var fast = Losses(0.9);
        Assert.That(fast[0], Is.EqualTo(standard[0]), "the loss before any update");
        Assert.That(fast.Skip(2), Is.Not.EqualTo(standard.Skip(2)), "beta2 changes the later updates");
    }

    [Test]
    public void AnExampleLongerThanTheContextIsRejectedByIndex()
    {
        using var model = TinyModels.Model();
        var examples = new[] { new TokenizedExample(new[] { 3 }, new[] { 4, 2 }), new TokenizedExample(Enumerable.Repeat(3, 47).ToArray(), new[] { 4, 2 }) };
        var error = Assert.Throws<ArgumentException>(() => SftTrainer.Train(model, examples, 0, new SftOptions { Steps = 1 }))!;
        Assert.That(error.Message, Does.Contain("Example 1").And.Contain("context length 48"));
    }

    [TestCase("Steps", 0)]
    [TestCase("LearningRate", 0.0)]
    [TestCase("WarmupSteps", -1)]
    [TestCase("AdamBeta1", 1.0)]
    [TestCase("AdamBeta2", -0.1)]
    public void InvalidOptionsNameTheOption(string option, double value)
    {
        var options = option switch
        {
            "Steps" => new SftOptions { Steps = (int)value },
            "LearningRate" => new SftOptions { LearningRate = value },
            "AdamBeta1" => new SftOptions { AdamBeta1 = value },
            "AdamBeta2" => new SftOptions { AdamBeta2 = value },
            _ => new SftOptions { WarmupSteps = (int)value },
        };
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => options.Validate())!;
        Assert.That(error.ParamName, Is.EqualTo(option));
        Assert.That(error.Message, Does.Contain("SftOptions." + option));
    }
}
