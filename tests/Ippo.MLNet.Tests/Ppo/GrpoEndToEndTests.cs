using Ippo.MLNet.Tests.RlMoves;
using Ippo.MLNet.Core.Algorithms;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using NUnit.Framework;

namespace Ippo.MLNet.Tests.Ppo;

public class GrpoEndToEndTests
{
    [Test]
    public void GrpoFromAnSftWarmStartRaisesTheTrainingRewardWithoutACritic()
    {
        using var policy = PpoEndToEndTests.WarmStart(600);
        var train = ArithmeticDefaults.HeldOutPrompts(PpoEndToEndTests.EasyTask, 400, seed: 10);
        var options = OldPpoDefaults.Grpo with
        {
            Iterations = 60, EpisodesPerIteration = 64, SamplesPerPrompt = 4, MaxNewTokens = 16, LearningRate = 1e-4, Seed = 7,
        };
        using var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), options);
        Assert.That(trainer.Critic, Is.Null);
        Assert.That(trainer.SharedValueHead, Is.Null);
        var history = Enumerable.Range(0, options.Iterations).Select(_ => trainer.Step(train)).ToList();

        foreach (var m in history)
            TestContext.Out.WriteLine($"{m.Iteration,3} reward {m[GrpoMetricNames.Reward]:F3} std {m[GrpoMetricNames.RewardStd]:F3} zero-std {m[GrpoMetricNames.FracRewardZeroStd]:F2} " +
                $"clip {m[GrpoMetricNames.ClipRatioRegionMean]:F3} entropy {m[GrpoMetricNames.Entropy]:F3} length {m[GrpoMetricNames.CompletionsMeanLength]:F1}");
        double early = history.Take(15).Average(m => m[GrpoMetricNames.Reward]), late = history.TakeLast(15).Average(m => m[GrpoMetricNames.Reward]);
        TestContext.Out.WriteLine($"reward, first 15 iterations {early:F3}, last 15 {late:F3}");
        // Measured here: 0.14 -> 0.24. Each 15-iteration window averages 240 prompts (reward std ~0.35 across prompts), so
        // the gap's standard error is ~0.03; 0.05 is the PPO test's margin.
        Assert.That(late, Is.GreaterThan(early + 0.05), "the mean rollout reward rises over training");
        Assert.That(history.Select(m => m.Values.ContainsKey(MetricNames.ValueLoss)), Has.All.False);
    }
}
