using Ippo.MLNet.Tests.RlMoves;
using Ippo.MLNet.Core.Algorithms;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using NUnit.Framework;
using static Ippo.MLNet.Tests.Reliability.ReliabilityFixtures;
using static TorchSharp.torch;

namespace Ippo.MLNet.Tests.Ppo;

/// <summary>Critic-free estimators (GRPO and friends) in the PPO trainer: groups, no critic, KL modes, masking, dropping.</summary>
public class GrpoTrainerTests
{
    private static readonly PpoOptions Grpo = OldPpoDefaults.Grpo with
    {
        Iterations = 2, EpisodesPerIteration = 16, SamplesPerPrompt = 4, MaxNewTokens = 12, LearningRate = 1e-3, Seed = 5,
    };

    [TestCase("grpo", ValueHeadPlacement.SeparateCritic)]
    [TestCase("grpo", ValueHeadPlacement.SharedTrunk)]
    [TestCase("rloo", ValueHeadPlacement.SharedTrunk)]
    [TestCase("reinforce_plus_plus", ValueHeadPlacement.SeparateCritic)]
    public void ACriticFreeEstimatorBuildsNoCriticNoValueHeadNoReferenceAndLogsNoValueMetrics(string estimator, ValueHeadPlacement head)
    {
        using var policy = TinyPolicy();
        using var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), Grpo with { AdvantageEstimator = estimator, ValueHead = head });
        Assert.That(trainer.Critic, Is.Null);
        Assert.That(trainer.SharedValueHead, Is.Null);
        Assert.That(trainer.HasCriticOptimizer, Is.False);
        Assert.That(trainer.Reference, Is.Null, "beta 0: no reference copy");
        var policyParameters = policy.Model.parameters().ToList();
        Assert.That(trainer.OptimizedParameters, Has.Count.EqualTo(policyParameters.Count));
        Assert.That(trainer.OptimizedParameters.Select(p => p.Handle), Is.EquivalentTo(policyParameters.Select(p => p.Handle)), "the optimizer holds the policy's parameters only");

        var m = trainer.Step(Prompts);
        foreach (var name in new[] { MetricNames.ValueLoss, MetricNames.ValueClipFraction, MetricNames.ExplainedVariance })
            Assert.That(m.Values.ContainsKey(name), Is.False, name);
        foreach (var name in new[] { GrpoMetricNames.Reward, GrpoMetricNames.RewardStd, GrpoMetricNames.FracRewardZeroStd, GrpoMetricNames.Entropy,
                     GrpoMetricNames.ClipRatioLowMean, GrpoMetricNames.ClipRatioHighMean, GrpoMetricNames.ClipRatioRegionMean, GrpoMetricNames.CompletionsMeanLength })
            Assert.That(m.Values.ContainsKey(name), name);
        // The same mean, once over float32 buffer scores and once over the double rewards.
        Assert.That(m[GrpoMetricNames.Reward], Is.EqualTo(m[MetricNames.Scores]).Within(1e-6));
        Assert.That(m[MetricNames.UpdateSteps], Is.GreaterThan(0));
    }

    [Test]
    public void TheGaeDefaultStillBuildsACriticAndAReference()
    {
        using var policy = TinyPolicy();
        using var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), Small);
        Assert.That(trainer.Critic, Is.Not.Null);
        Assert.That(trainer.HasCriticOptimizer);
        Assert.That(trainer.Reference, Is.Not.Null);
        Assert.That(trainer.Estimator.Name, Is.EqualTo("gae"));
    }

    [Test]
    public void EachPromptDrawIsOneGroupAndGrpoAdvantagesAreTheGroupStandardisedScores()
    {
        using var policy = TinyPolicy();
        using var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), Grpo);
        var metrics = new Dictionary<string, double>();
        using var buffer = trainer.CollectRollout(Prompts, metrics);
        Assert.That(buffer.Count, Is.EqualTo(16));
        Assert.That(buffer.Values, Is.Null);
        Assert.That(buffer.RefLogProbs, Is.Null);
        var groups = buffer.Episodes.Select((e, row) => (e, row)).GroupBy(x => x.e.GroupId).ToList();
        Assert.That(groups, Has.Count.EqualTo(4));
        foreach (var g in groups)
        {
            Assert.That(g.Select(x => x.row), Is.EqualTo(Enumerable.Range(4 * g.Key, 4)), "the samples of a draw are adjacent rows");
            Assert.That(g.Select(x => x.e.PromptIndex).Distinct().Count(), Is.EqualTo(1), "one prompt per group");
        }
        // Expected advantages computed here from the episodes' rewards in double: (r - mean) / (std + 1e-6), Bessel std.
        var advantages = buffer.Advantages!.to(ScalarType.Float64).cpu();
        var mask = buffer.ResponseMask.to(ScalarType.Float64).cpu();
        bool anySpread = false;
        foreach (var g in groups)
        {
            var rewards = g.Select(x => x.e.Reward).ToArray();
            double mean = rewards.Average();
            double std = Math.Sqrt(rewards.Sum(r => (r - mean) * (r - mean)) / (rewards.Length - 1));
            anySpread |= std > 0;
            foreach (var (e, row) in g)
            {
                double expected = (e.Reward - mean) / (std + 1e-6);
                var tokens = (advantages[row] * mask[row]).sum().item<double>() / mask[row].sum().item<double>();
                // The buffer holds float32 advantages: relative rounding ~6e-8.
                Assert.That(tokens, Is.EqualTo(expected).Within(1e-5 * Math.Max(1, Math.Abs(expected))));
            }
        }
        Assert.That(metrics[GrpoMetricNames.FracRewardZeroStd], Is.EqualTo(groups.Count(g => g.Select(x => x.e.Reward).Distinct().Count() == 1) / 4.0).Within(1e-12));
        TestContext.Out.WriteLine($"some group had differing rewards: {anySpread}");
    }

    [Test]
    public void AKlLossCoefficientKeepsAReferenceAndAddsTheKlLossTerm()
    {
        using var policy = TinyPolicy();
        using var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), Grpo with { KlCoefficient = 0.1 });
        Assert.That(trainer.Reference, Is.Not.Null);
        trainer.Step(Prompts);
        var m = trainer.Step(Prompts);
        Assert.That(m.Values.ContainsKey("loss/kl_avg"));
        Assert.That(m[GrpoMetricNames.Kl], Is.GreaterThan(0), "after one update the policy differs from the reference");
        Assert.That(m[MetricNames.RlhfReward], Is.EqualTo(m[MetricNames.Scores]).Within(1e-6), "the KL is in the loss, not the reward");
        Assert.That(m[MetricNames.KlCoefficient], Is.EqualTo(0.1));
    }

    // Keeps only the completions cut at the token limit, so a masked update has no token left to learn from.
    private sealed class KeepTruncated : IEpisodeFilter
    {
        public EpisodeSelection Select(RolloutBuffer buffer, PpoTrainer trainer) =>
            new(buffer.Episodes.Select((e, i) => (e, i)).Where(x => !x.e.EndedWithEos).Select(x => x.i).ToArray(), null, new Dictionary<string, double>());

        public string? StopReason => null;
    }

    [Test]
    public void MaskingTruncatedCompletionsZeroesTheirLossMaskRowsAndTheyTeachNothing()
    {
        // Four new tokens are too few for most traces: most completions are truncated.
        var options = Grpo with { MaxNewTokens = 4, Iterations = 1, MaskTruncatedCompletions = true };
        using (var policy = TinyPolicy())
        using (var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), options))
        {
            using var buffer = trainer.CollectRollout(Prompts, new Dictionary<string, double>());
            var lossMask = buffer.LossMask!.to(ScalarType.Float64).cpu();
            var responseMask = buffer.ResponseMask.to(ScalarType.Float64).cpu();
            Assert.That(buffer.Episodes.Count(e => !e.EndedWithEos), Is.GreaterThan(0));
            for (int row = 0; row < buffer.Count; row++)
            {
                var expected = buffer.Episodes[row].EndedWithEos ? responseMask[row] : zeros_like(responseMask[row]);
                Assert.That(lossMask[row].equal(expected).all().item<bool>(), $"row {row}");
            }
        }
        var moved = new List<bool>();
        foreach (bool mask in new[] { true, false })
        {
            using var policy = TinyPolicy();
            var before = Weights(policy.Model);
            // A reward that differs within groups, so the truncated episodes have non-zero advantages.
            using var trainer = new PpoTrainer(policy, input => input.Completion.Count(char.IsDigit) + input.Completion.Length % 2,
                options with { MaskTruncatedCompletions = mask }, new KeepTruncated());
            var m = trainer.Step(Prompts);
            if (mask) Assert.That(m[MetricNames.UpdateSteps], Is.EqualTo(0));
            moved.Add(Differences(before, Weights(policy.Model)).Count > 0);
        }
        Assert.That(moved, Is.EqualTo(new[] { false, true }));
    }

    [Test]
    public void DroppingZeroStdGroupsSkipsTheUpdateWhenEveryGroupAgrees()
    {
        using var policy = TinyPolicy();
        var before = Weights(policy.Model);
        using var trainer = new PpoTrainer(policy, _ => 1.0, Grpo with { DropZeroStdGroups = true });
        var m = trainer.Step(Prompts);
        Assert.That(m[MetricNames.DroppedZeroStdEpisodes], Is.EqualTo(16));
        Assert.That(m[GrpoMetricNames.FracRewardZeroStd], Is.EqualTo(1.0));
        Assert.That(m[MetricNames.KeptEpisodes], Is.EqualTo(0));
        Assert.That(Differences(before, Weights(policy.Model)), Is.Empty);
    }

    [TestCase(false)]
    [TestCase(true)]
    public void GrpoIterationsLeaveNoLiveTensorsBehind(bool influence)
    {
        using var policy = TinyPolicy();
        using var filter = influence ? Filter(policy, new Core.Influence.InfluenceFilterOptions { MinKeptFraction = 0 }) : null;
        var options = Grpo with { Iterations = 10, KlCoefficient = 0.05, MaskTruncatedCompletions = true, DropZeroStdGroups = true, LossType = "dr_grpo" };
        using var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), options, filter);
        trainer.Step(Prompts);
        long before = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 3; i++) trainer.Step(Prompts);
        Assert.That(TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount, Is.EqualTo(before));
    }

    [Test]
    public void OptionsAreValidatedUpFrontNamingTheOption()
    {
        Assert.That(() => (Grpo with { EpisodesPerIteration = 30 }).Validate(),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contain("EpisodesPerIteration (30)").And.Message.Contain("SamplesPerPrompt (4)"));
        Assert.That(() => (Grpo with { SamplesPerPrompt = 1 }).Validate(),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contain("SamplesPerPrompt").And.Message.Contain("'grpo'"));
        Assert.That(() => (Grpo with { AdvantageEstimator = "ppo" }).Validate(),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contain("AdvantageEstimator 'ppo'").And.Message.Contain("rloo"));
        Assert.That(() => (Grpo with { LossType = "mean" }).Validate(),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contain("LossType").And.Message.Contain("dr_grpo"));
        Assert.That(() => (Grpo with { AdaptiveKlTarget = 0.1 }).Validate(),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contain("AdaptiveKlTarget").And.Message.Contain("KlMode"));
        Assert.That(() => (Small with { DropZeroStdGroups = true }).Validate(),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contain("DropZeroStdGroups"));
        Assert.That(() => (Grpo with { AdvantageEpsilon = 0 }).Validate(),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contain("AdvantageEpsilon"));
        Assert.That((Grpo with { LossType = "dr_grpo" }).ResolvedLossAggregation, Is.EqualTo(LossAggregation.SequenceMeanTokenSumNorm));
    }
}
