using Ippo.MLNet.Core.Evaluation;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Rewards;
using Ippo.MLNet.Core.Tasks.Strings;
using Ippo.MLNet.Core.Training;
using NUnit.Framework;

namespace Ippo.MLNet.Tests.RlMoves;

/// <summary>The trainer with a weighted list of rewards, and with held-out evaluation every N iterations.</summary>
public class TrainerRewardsAndEvaluationTests
{
    private static readonly ReverseTask Task = new(minLength: 2, maxLength: 4);
    private static readonly IReadOnlyList<PromptExample> Train = Task.Prompts(32, seed: 1);
    private static readonly IReadOnlyList<PromptExample> HeldOut = Task.Prompts(12, seed: 2, exclude: Train.Select(p => p.Prompt));

    private static readonly PpoOptions Options = new()
    {
        Iterations = 3, EpisodesPerIteration = 8, MiniBatches = 2, PpoEpochs = 1, MaxNewTokens = 6, LearningRate = 1e-3, Seed = 3,
    };

    // A tiny warm start: enough SFT that some held-out answers are right and some wrong.
    private static Policy WarmStart()
    {
        var policy = Task.NewPolicy(Task.ModelConfig(initSeed: 2) with { Width = 32, Layers = 1, ContextLength = 16 });
        SftTrainer.Train(policy.Model, StringTask.Tokenize(policy, Task.SftCorpus(500, seed: 5)), policy.Tokenizer.PadId,
            new SftOptions { Steps = 60, BatchSize = 32, LearningRate = 3e-3, WarmupSteps = 5, Seed = 1 });
        return policy;
    }

    [Test]
    public void EachRewardsMeanIsLoggedAndTheScoreIsTheirWeightedSum()
    {
        using var policy = WarmStart();
        var rewards = new WeightedRewards(
            new NamedReward("exact", Task.Reward()),
            new NamedReward("length", i => i.Completion.Length, Weight: 0.5));
        using var trainer = new PpoTrainer(policy, rewards, Options);
        var metrics = new Dictionary<string, double>();
        using var buffer = trainer.CollectRollout(Train, metrics);
        var episodes = buffer.Episodes;
        double exact = episodes.Average(e => e.Completion == Task.Answer(e.Prompt) ? 1.0 : 0.0);
        double length = episodes.Average(e => (double)e.Completion.Length);
        Assert.That(metrics["rewards/exact/mean"], Is.EqualTo(exact).Within(1e-12));
        Assert.That(metrics["rewards/length/mean"], Is.EqualTo(length).Within(1e-12));
        Assert.That(metrics[MetricNames.Scores], Is.EqualTo(exact + 0.5 * length).Within(1e-12));
        Assert.That(episodes.Select(e => e.Reward), Is.EqualTo(episodes.Select(e => (e.Completion == Task.Answer(e.Prompt) ? 1.0 : 0.0) + 0.5 * e.Completion.Length)));
    }

    [Test]
    public void HeldOutMetricsAppearEveryNIterationsAndEqualADirectEvaluationAtThatPoint()
    {
        var sampling = new EvaluationOptions { SamplesPerPrompt = 2, PassK = 2, Seed = 9 };
        using var evaluated = WarmStart();
        using var plain = WarmStart();
        var judge = Task.Judge();
        var withEval = Options with { Evaluation = new PeriodicEvaluationOptions { Prompts = HeldOut, Judge = judge, Every = 2, Sampling = sampling } };
        using var a = new PpoTrainer(evaluated, Task.Reward(), withEval);
        var history = a.Train(Train).History;
        Assert.That(history.Select(m => m.Values.ContainsKey(EvalMetricNames.Accuracy)), Is.EqualTo(new[] { false, true, true }), "iteration 2 (every 2) and the last, 3");

        using var b = new PpoTrainer(plain, Task.Reward(), Options);
        b.Step(Train);
        b.Step(Train);
        // The evaluation's token limit follows PpoOptions.MaxNewTokens when left at its default.
        var direct = PolicyEvaluator.Evaluate(plain, HeldOut, judge, sampling with { MaxNewTokens = Options.MaxNewTokens }).Metrics;
        Assert.That(history[1][EvalMetricNames.Accuracy], Is.EqualTo(direct.Accuracy));
        Assert.That(history[1][EvalMetricNames.GreedyAccuracy], Is.EqualTo(direct.GreedyAccuracy));
        Assert.That(history[1][EvalMetricNames.PassAtK], Is.EqualTo(direct.PassAtK));
        Assert.That(history[1][EvalMetricNames.MalformedRate], Is.EqualTo(direct.MalformedRate));
        Assert.That(new[] { direct.Accuracy, direct.MalformedRate, 1 - direct.Accuracy - direct.MalformedRate }.Count(x => x > 0), Is.GreaterThanOrEqualTo(2),
            "the warm start is neither all right nor all wrong, so the equality says something");

        b.Step(Train);
        var wa = evaluated.Model.parameters().Select(p => p.data<float>().ToArray()).ToList();
        var wb = plain.Model.parameters().Select(p => p.data<float>().ToArray()).ToList();
        Assert.That(wa, Is.EqualTo(wb), "evaluating draws nothing from the training generators");
    }

    [Test]
    public void ABadEvaluationOptionIsNamed()
    {
        var bad = Options with { Evaluation = new PeriodicEvaluationOptions { Prompts = HeldOut, Judge = Task.Judge(), Every = 0 } };
        Assert.That(() => bad.Validate(), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("PpoOptions.Evaluation.Every"));
        var noJudge = Options with { Evaluation = new PeriodicEvaluationOptions { Prompts = HeldOut } };
        Assert.That(() => noJudge.Validate(), Throws.ArgumentException.With.Message.Contains("PpoOptions.Evaluation.Judge"));
    }
}
