using Ippo.MLNet.Core.Evaluation;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using Ippo.MLNet.Core.Training;
using NUnit.Framework;

namespace Ippo.MLNet.Tests.Ppo;

public class PpoEndToEndTests
{
    internal static readonly ArithmeticTaskOptions EasyTask = new() { MinOperations = 2, MaxOperations = 2, MaxOperand = 9, MaxResult = 20 };

    internal static Policy WarmStart(int sftSteps = 300)
    {
        var corpus = new SftCorpusGenerator(EasyTask, new SftCorpusOptions(), seed: 3).Take(3000);
        var policy = ArithmeticDefaults.NewPolicy(ArithmeticDefaults.ModelConfig(initSeed: 5) with { Width = 64, Layers = 2, ContextLength = 32 });
        SftTrainer.Train(policy.Model, ArithmeticDefaults.Tokenize(policy, corpus), policy.Tokenizer.PadId,
            new SftOptions { Steps = sftSteps, BatchSize = 32, LearningRate = 3e-3, Seed = 6 });
        return policy;
    }

    [Test]
    public void PpoFromAnSftWarmStartRaisesTheHeldOutReward()
    {
        using var policy = WarmStart(600);
        var train = ArithmeticDefaults.HeldOutPrompts(EasyTask, 400, seed: 10);
        var heldOut = ArithmeticDefaults.HeldOutPrompts(EasyTask, 96, seed: 11, exclude: train.Select(p => p.Prompt));
        var eval = new EvaluationOptions { SamplesPerPrompt = 4, PassK = 4, MaxNewTokens = 16, IncludeGreedy = false };
        var before = PolicyEvaluator.Evaluate(policy, heldOut, new ArithmeticJudge(), eval).Metrics;

        var options = new PpoOptions { Iterations = 60, EpisodesPerIteration = 64, MaxNewTokens = 16, LearningRate = 1e-4, CriticLearningRate = 1e-3, Seed = 7 };
        using var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), options);
        var history = Enumerable.Range(0, options.Iterations).Select(_ => trainer.Step(train)).ToList();
        var after = PolicyEvaluator.Evaluate(policy, heldOut, new ArithmeticJudge(), eval).Metrics;

        foreach (var m in history)
            TestContext.Out.WriteLine($"{m.Iteration,3} score {m[MetricNames.Scores]:F3} kl {m[MetricNames.Kl]:F4} clip {m[MetricNames.ClipFraction]:F3} approxkl {m[MetricNames.ApproxKl]:F4} ev {m[MetricNames.ExplainedVariance]:F2} ent {m[MetricNames.Entropy]:F3}");
        TestContext.Out.WriteLine($"accuracy {before.Accuracy:P1} -> {after.Accuracy:P1}; unfaithful {before.UnfaithfulRate:P1} -> {after.UnfaithfulRate:P1}");
        double early = history.Take(15).Average(m => m[MetricNames.Scores]), late = history.TakeLast(15).Average(m => m[MetricNames.Scores]);
        Assert.That(late, Is.GreaterThan(early + 0.05), "the mean rollout reward rises over training");
        Assert.That(after.Accuracy, Is.GreaterThan(before.Accuracy + 0.02), "held-out sampled accuracy (the reward's expectation) rises");
        Assert.That(history.Select(m => m[MetricNames.ClipFraction]), Has.All.InRange(0.0, 1.0));
        Assert.That(history.Select(m => m[MetricNames.Kl]).Last(), Is.GreaterThan(0), "the policy moved away from the reference");
    }
}
