using Ippo.MLNet.Tests.RlMoves;
using Ippo.MLNet.Core.Influence;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using Ippo.MLNet.Tests.Ppo;
using NUnit.Framework;
using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Tests.Influence;

public class InfluenceTrainerTests
{
    private static readonly PpoOptions Small = OldPpoDefaults.Ppo with { Iterations = 3, EpisodesPerIteration = 16, MaxNewTokens = 12, LearningRate = 1e-3, Seed = 3 };

    private static Policy TinyPolicy() =>
        ArithmeticDefaults.NewPolicy(ArithmeticDefaults.ModelConfig(initSeed: 4) with { Width = 32, Layers = 1, ContextLength = 32 });

    private static IReadOnlyList<Core.Training.PromptExample> Prompts => ArithmeticDefaults.HeldOutPrompts(PpoEndToEndTests.EasyTask, 32, seed: 1);

    private static InfluenceFilter Filter(Policy policy, InfluenceFilterOptions? options = null) =>
        new(ArithmeticDefaults.Tokenize(policy, ArithmeticDefaults.GoldTraces(PpoEndToEndTests.EasyTask, 16, seed: 2)), options, new ArithmeticJudge());

    private static Dictionary<string, Tensor> Weights(CausalLanguageModel model) =>
        model.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone().DetachFromDisposeScope());

    private sealed class UnitWeights : IEpisodeFilter
    {
        public EpisodeSelection Select(RolloutBuffer buffer, PpoTrainer trainer) =>
            new(Enumerable.Range(0, buffer.Count).ToArray(), Enumerable.Repeat(1f, buffer.Count).ToArray(), new Dictionary<string, double>());

        public string? StopReason => null;
    }

    [Test]
    public void UpdateWithAllWeightsOneEqualsPlainPpo()
    {
        using var plainPolicy = TinyPolicy();
        using var weightedPolicy = TinyPolicy();
        using (var plain = new PpoTrainer(plainPolicy, ArithmeticReward.Create(), Small)) plain.Train(Prompts);
        using (var weighted = new PpoTrainer(weightedPolicy, ArithmeticReward.Create(), Small, new UnitWeights())) weighted.Train(Prompts);
        using var untrained = TinyPolicy();
        var a = Weights(plainPolicy.Model);
        var b = Weights(weightedPolicy.Model);
        var initial = Weights(untrained.Model);
        Assert.That(a.Keys.Select(k => a[k].equal(b[k]).all().item<bool>()), Has.All.True);
        Assert.That(a.Keys.Any(k => !a[k].equal(initial[k]).all().item<bool>()), "training moved the weights");
    }

    // I-GRPO variants: the KL as a loss term (its k3 gradient must be in the assembled step) and dr_grpo's constant denominator.
    private static PpoOptions Variant(string name) => name switch
    {
        "ppo" => Small,
        "grpo-kl-loss" => OldPpoDefaults.Grpo with { Iterations = 3, EpisodesPerIteration = 16, MaxNewTokens = 12, LearningRate = 1e-3, Seed = 3, KlCoefficient = 0.1 },
        "dr-grpo" => OldPpoDefaults.Grpo with { Iterations = 3, EpisodesPerIteration = 16, MaxNewTokens = 12, LearningRate = 1e-3, Seed = 3, AdvantageEstimator = "dr_grpo", LossType = "dr_grpo" },
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [TestCase("ppo")]
    [TestCase("grpo-kl-loss")]
    [TestCase("dr-grpo")]
    public void FusedFirstStepTakesTheSameStepAsASeparateBackward(string variant)
    {
        var results = new List<(Dictionary<string, Tensor> Weights, double Fused)>();
        foreach (bool fuse in new[] { true, false })
        {
            using var policy = TinyPolicy();
            using var filter = Filter(policy, new InfluenceFilterOptions { FuseFirstUpdateStep = fuse, MinKeptFraction = 0 });
            using var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), Variant(variant) with { PpoEpochs = 1, MiniBatches = 1 }, filter);
            var m = trainer.Step(Prompts);
            results.Add((Weights(policy.Model), m[MetricNames.FusedFirstStep]));
        }
        using var untrainedPolicy = TinyPolicy();
        var initial = Weights(untrainedPolicy.Model);
        double moved = results[1].Weights.Keys.Max(k => (results[1].Weights[k] - initial[k]).abs().max().ToDouble());
        double meanMove = MeanAbs(results[1].Weights, initial);
        double meanGap = MeanAbs(results[0].Weights, results[1].Weights);
        TestContext.Out.WriteLine($"largest move {moved:E3}, mean move {meanMove:E3}, mean fused/unfused gap {meanGap:E3}");
        Assert.That(results.Select(r => r.Fused), Is.EqualTo(new[] { 1.0, 0.0 }));
        Assert.That(moved, Is.GreaterThan(1e-4));
        // AdamW's first step is lr * g / (|g| + eps): where g is near 0, float rounding (which differs between the two
        // computations and between CPUs) is amplified up to lr / eps, so single coordinates may differ by up to 2 lr.
        // Averaged over all coordinates those few are small; a wrong fused gradient would move most coordinates.
        Assert.That(meanGap, Is.LessThan(1e-2 * meanMove));
    }

    [Test]
    public void RunStopsWhenEveryEpisodeScoresAtOrBelowZero()
    {
        // Constant reward, no KL, no whitening, a zero-initialised critic: every advantage is 0, so every score is 0.
        using var policy = TinyPolicy();
        using var filter = Filter(policy);
        var options = Small with { Iterations = 5, KlCoefficient = 0, WhitenAdvantages = false };
        using var trainer = new PpoTrainer(policy, _ => 0.0, options, filter);
        var before = Weights(policy.Model);

        var result = trainer.Train(Prompts);

        Assert.That(result.History, Has.Count.EqualTo(1));
        Assert.That(result.StopReason, Does.Contain("iteration 1").And.Contain("no episode scored above"));
        Assert.That(result.History[0][MetricNames.KeptFraction], Is.EqualTo(0));
        Assert.That(result.History[0][MetricNames.EarlyStop], Is.EqualTo(1));
        Assert.That(filter.LastEpisodes.Select(e => e.Score), Has.All.EqualTo(0.0));
        Assert.That(before.Keys.Select(k => before[k].equal(policy.Model.state_dict()[k]).all().item<bool>()), Has.All.True, "no update on an empty buffer");
    }

    [Test]
    public void RunStopsAfterPatienceIterationsBelowTheMinimumKeptFraction()
    {
        using var policy = TinyPolicy();
        using var filter = Filter(policy, new InfluenceFilterOptions { MinKeptFraction = 1.0, Patience = 2 });
        using var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), Small with { Iterations = 10 }, filter);
        var result = trainer.Train(Prompts);
        Assert.That(result.History.Select(m => m[MetricNames.KeptFraction]), Has.All.LessThan(1.0));
        Assert.That(result.History, Has.Count.EqualTo(2));
        Assert.That(result.StopReason, Does.Contain("iteration 2").And.Contain("below 1"));
        Assert.That(result.History.Select(m => m[MetricNames.EarlyStop]), Is.EqualTo(new[] { 0.0, 1.0 }));
    }

    [Test]
    public void RandomDropKeepsAsManyEpisodesAsTheInfluenceRuleWouldAndReportsDiagnostics()
    {
        using var policy = TinyPolicy();
        using var filter = Filter(policy, new InfluenceFilterOptions { Rule = InfluenceRule.RandomDrop, MinKeptFraction = 0 });
        using var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), Small, filter);
        var m = trainer.Step(Prompts);
        int wouldKeep = filter.LastEpisodes.Count(e => e.Score > 0);
        Assert.That(filter.LastEpisodes.Count(e => e.Kept), Is.EqualTo(wouldKeep));
        Assert.That(m[MetricNames.KeptEpisodes], Is.EqualTo(wouldKeep));
        Assert.That(filter.LastEpisodes.Where(e => e.Kept).Select(e => e.Weight), Has.All.EqualTo(1.0));
        Assert.That(m[MetricNames.ScoreMean], Is.EqualTo(filter.LastEpisodes.Average(e => e.Score)).Within(1e-12));
        Assert.That(m[MetricNames.ScoreMax], Is.EqualTo(filter.LastEpisodes.Max(e => e.Score)));
        Assert.That(m[MetricNames.ScoreMin], Is.EqualTo(filter.LastEpisodes.Min(e => e.Score)));
        Assert.That(m[MetricNames.CorrectFraction], Is.EqualTo(filter.LastEpisodes.Count(e => e.Label is Core.Evaluation.TraceLabel.CorrectFaithful or Core.Evaluation.TraceLabel.CorrectUnfaithful) / 16.0));
    }

    [TestCase(true, true)]
    [TestCase(true, false)]
    [TestCase(false, false)]
    public void IPpoIterationsLeaveNoLiveTensorsBehind(bool withFilter, bool fuse)
    {
        using var policy = TinyPolicy();
        using var filter = Filter(policy, new InfluenceFilterOptions { MinKeptFraction = 0, FuseFirstUpdateStep = fuse });
        using var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), Small with { Iterations = 10 }, withFilter ? filter : null);
        trainer.Step(Prompts);
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 3; i++) trainer.Step(Prompts);
        Assert.That(DisposeScopeManager.Statistics.ThreadTotalLiveCount, Is.EqualTo(before));
    }

    private static double MeanAbs(Dictionary<string, Tensor> a, Dictionary<string, Tensor> b) =>
        a.Keys.Sum(k => (a[k] - b[k]).abs().sum().ToDouble()) / a.Values.Sum(t => (double)t.numel());
}
