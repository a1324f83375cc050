using Ippo.MLNet.Core.Evaluation;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using Ippo.MLNet.Core.Training;
using NUnit.Framework;

namespace Ippo.MLNet.Tests.Tasks;

public class SftEndToEndTests
{
    [Test]
    public void SftOnGoldTracesRaisesAccuracyFarAboveAnUntrainedPolicy()
    {
        var task = new ArithmeticTaskOptions { MinOperations = 2, MaxOperations = 2, MaxOperand = 9, MaxResult = 20 };
        var corpus = new SftCorpusGenerator(task, new SftCorpusOptions { GoldFraction = 1, UnfaithfulFraction = 0, WrongFraction = 0 }, seed: 3).Take(3000);
        var heldOut = ArithmeticDefaults.HeldOutPrompts(task, 64, seed: 4, exclude: corpus.Select(e => e.Prompt));
        using var policy = ArithmeticDefaults.NewPolicy(ArithmeticDefaults.ModelConfig(initSeed: 5) with { Width = 64, Layers = 2, ContextLength = 32 });
        var options = new EvaluationOptions { SamplesPerPrompt = 1, PassK = 1, MaxNewTokens = 16 };
        var before = PolicyEvaluator.Evaluate(policy, heldOut, new ArithmeticJudge(), options).Metrics;

        SftTrainer.Train(policy.Model, ArithmeticDefaults.Tokenize(policy, corpus), policy.Tokenizer.PadId,
            new SftOptions { Steps = 700, BatchSize = 32, LearningRate = 3e-3, Seed = 6 });
        var after = PolicyEvaluator.Evaluate(policy, heldOut, new ArithmeticJudge(), options).Metrics;

        TestContext.Out.WriteLine($"greedy accuracy {before.GreedyAccuracy:P1} -> {after.GreedyAccuracy:P1}; sampled {before.Accuracy:P1} -> {after.Accuracy:P1}; faithful {after.FaithfulAccuracy:P1}");
        Assert.That(before.GreedyAccuracy, Is.LessThan(0.1));
        Assert.That(after.GreedyAccuracy, Is.GreaterThan(0.5));
        Assert.That(after.MalformedRate, Is.LessThan(0.2), "the policy learned the format");
    }
}
