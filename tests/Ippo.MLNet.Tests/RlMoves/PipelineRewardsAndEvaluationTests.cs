using Ippo.MLNet.Core.Evaluation;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Rewards;
using Ippo.MLNet.Core.Tasks.Strings;
using Microsoft.ML;
using NUnit.Framework;

namespace Ippo.MLNet.Tests.RlMoves;

/// <summary>The ML.NET trainer options' weighted rewards and held-out evaluation.</summary>
public class PipelineRewardsAndEvaluationTests
{
    private static readonly ReverseTask Task = new(minLength: 2, maxLength: 4);

    private sealed class Row
    {
        public string Prompt { get; set; } = "";
        public string Answer { get; set; } = "";
    }

    private static IDataView View(MLContext ml, int count, int seed) =>
        ml.Data.LoadFromEnumerable(Task.Prompts(count, seed).Select(p => new Row { Prompt = p.Prompt, Answer = p.Reference! }));

    [Test]
    public void RewardsAndEvaluationDataReachTheHistory()
    {
        var ml = new MLContext(seed: 1);
        using var policy = Task.NewPolicy(Task.ModelConfig(initSeed: 1) with { Width = 32, Layers = 1, ContextLength = 16 });
        var options = new PpoTrainerOptions
        {
            InitialPolicy = policy, AnswerColumnName = "Answer",
            Rewards = new WeightedRewards(new NamedReward("exact", Task.Reward()), new NamedReward("short", i => i.Completion.Length <= 4 ? 1 : 0, 0.1)),
            EvaluationData = View(ml, 6, seed: 9), EvaluationJudge = Task.Judge(), EvaluateEvery = 2,
            Ppo = new PpoOptions { Iterations = 3, EpisodesPerIteration = 8, MiniBatches = 2, MaxNewTokens = 6, Seed = 2 },
        };
        var history = ml.Ippo().PpoTrainer(options).Fit(View(ml, 16, seed: 1)).History;
        Assert.That(history.Select(m => m.Values.ContainsKey(EvalMetricNames.Accuracy)), Is.EqualTo(new[] { false, true, true }));
        foreach (var m in history)
        {
            Assert.That(m[MetricNames.Scores], Is.EqualTo(m["rewards/exact/mean"] + 0.1 * m["rewards/short/mean"]).Within(1e-12));
            Assert.That(m["rewards/short/mean"], Is.InRange(0.0, 1.0));
        }
    }

    [Test]
    public void ConflictingOrIncompleteOptionsAreNamed()
    {
        var ml = new MLContext(seed: 1);
        using var policy = Task.NewPolicy(Task.ModelConfig() with { Width = 32, Layers = 1, ContextLength = 16 });
        var both = new PpoTrainerOptions { InitialPolicy = policy, Reward = Task.Reward(), Rewards = new WeightedRewards(new NamedReward("a", Task.Reward())) };
        Assert.That(() => ml.Ippo().PpoTrainer(both), Throws.ArgumentException.With.Message.Contains("PpoTrainerOptions.Rewards"));
        var noJudge = new PpoTrainerOptions { InitialPolicy = policy, EvaluationData = View(ml, 2, seed: 1) };
        Assert.That(() => ml.Ippo().PpoTrainer(noJudge), Throws.ArgumentException.With.Message.Contains("PpoTrainerOptions.EvaluationJudge"));
    }
}
