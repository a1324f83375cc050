using Ippo.MLNet.Core.Evaluation;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using Ippo.MLNet.Core.Training;
using NUnit.Framework;

namespace Ippo.MLNet.Tests.Tasks;

public class SftEndToEndTests
{
    /// <summary>Held-out metrics before and after SFT in one seeded run; <paramref name="seedOffset"/> shifts every seed.</summary>
    internal static (PolicyMetrics Before, PolicyMetrics After) Run(int seedOffset)
    {
        var task = new ArithmeticTaskOptions { MinOperations = 2, MaxOperations = 2, MaxOperand = 9, MaxResult = 20 };
        var corpus = new SftCorpusGenerator(task, new SftCorpusOptions { GoldFraction = 1, UnfaithfulFraction = 0, WrongFraction = 0 }, seed: 3 + seedOffset).Take(3000);
        var heldOut = ArithmeticDefaults.HeldOutPrompts(task, 64, seed: 4 + seedOffset, exclude: corpus.Select(e => e.Prompt));
        using var policy = ArithmeticDefaults.NewPolicy(ArithmeticDefaults.ModelConfig(initSeed: 5 + seedOffset) with { Width = 64, Layers = 2, ContextLength = 32 });
        var options = new EvaluationOptions { SamplesPerPrompt = 1, PassK = 1, MaxNewTokens = 16 };
        var before = PolicyEvaluator.Evaluate(policy, heldOut, new ArithmeticJudge(), options).Metrics;

        SftTrainer.Train(policy.Model, ArithmeticDefaults.Tokenize(policy, corpus), policy.Tokenizer.PadId,
            new SftOptions { Steps = 700, BatchSize = 32, LearningRate = 3e-3, Seed = 6 + seedOffset });
        var after = PolicyEvaluator.Evaluate(policy, heldOut, new ArithmeticJudge(), options).Metrics;
        return (before, after);
    }

    [Test]
    public void SftOnGoldTracesRaisesAccuracyFarAboveAnUntrainedPolicy()
    {
        var (before, after) = Run(seedOffset: 0);

        TestContext.Out.WriteLine($"greedy accuracy {before.GreedyAccuracy:P1} -> {after.GreedyAccuracy:P1}; sampled {before.Accuracy:P1} -> {after.Accuracy:P1}; faithful {after.FaithfulAccuracy:P1}");
        // Thresholds from the spread over seeds (SeedSpreadTests): another CPU's rounding changes the run like another seed does.
        Assert.That(before.GreedyAccuracy, Is.LessThan(UntrainedAccuracyCeiling));
        Assert.That(after.GreedyAccuracy, Is.GreaterThan(TrainedAccuracyFloor));
        Assert.That(after.MalformedRate, Is.LessThan(MalformedCeiling), "the policy learned the format");
    }

    /// <summary>Greedy held-out accuracy an untrained policy stays below on any seed.</summary>
    internal const double UntrainedAccuracyCeiling = 0.1;

    /// <summary>Greedy held-out accuracy 700 SFT steps reach on any seed.</summary>
    internal const double TrainedAccuracyFloor = 0.5;

    /// <summary>Malformed-completion rate after SFT, on any seed.</summary>
    internal const double MalformedCeiling = 0.2;
}
