using Ippo.MLNet.Core.Influence;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using NUnit.Framework;
using static Ippo.MLNet.Tests.Reliability.ReliabilityFixtures;

namespace Ippo.MLNet.Tests.Reliability;

public class DeterminismTests
{
    private static (Dictionary<string, TorchSharp.torch.Tensor> Weights, List<Dictionary<string, double>> Metrics) Run(int seed, InfluenceRule rule)
    {
        using var policy = TinyPolicy();
        using var filter = Filter(policy, new InfluenceFilterOptions { Rule = rule, MinKeptFraction = 0, Seed = seed });
        using var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), Small with { Iterations = 3, Seed = seed }, filter);
        var result = trainer.Train(Prompts);
        return (Weights(policy.Model), result.History.Select(WithoutTimes).ToList());
    }

    [TestCase(InfluenceRule.Influence)]
    [TestCase(InfluenceRule.RandomDrop)]
    public void TheSameSeedGivesIdenticalMetricsAndWeightsAndAnotherSeedDoesNot(InfluenceRule rule)
    {
        var a = Run(11, rule);
        var b = Run(11, rule);
        var c = Run(12, rule);
        Assert.That(Differences(a.Weights, b.Weights), Is.Empty);
        Assert.That(b.Metrics, Is.EqualTo(a.Metrics));
        Assert.That(a.Metrics[0], Does.ContainKey(MetricNames.ScoreMean), "the influence filter ran");
        Assert.That(Differences(a.Weights, c.Weights), Is.Not.Empty);
        Assert.That(c.Metrics[0][MetricNames.Scores], Is.Not.EqualTo(a.Metrics[0][MetricNames.Scores]).Or.Not.EqualTo(a.Metrics[0][MetricNames.ResponseLength]));
    }

    [Test]
    public void IterationSeedsDifferAcrossIterationsStreamsAndSeeds()
    {
        var seeds = new List<int>();
        foreach (int seed in new[] { 0, 1 })
            foreach (int iteration in Enumerable.Range(1, 50))
                foreach (int stream in new[] { IterationSeeds.Trainer, IterationSeeds.Sampling, IterationSeeds.Dropout, IterationSeeds.Filter })
                    seeds.Add(IterationSeeds.For(seed, iteration, stream));
        Assert.That(seeds, Is.Unique);
        Assert.That(seeds, Has.All.GreaterThanOrEqualTo(0));
        Assert.That(IterationSeeds.For(7, 3, 2), Is.EqualTo(IterationSeeds.For(7, 3, 2)));
    }
}
