using NUnit.Framework;
using Example = global::Ippo.MLNet.OwnTask;

namespace Ippo.MLNet.Tests.OwnTask;

/// <summary>The README's own-task example (examples/Ippo.MLNet.OwnTask) on a few steps of each phase.</summary>
public class OwnTaskExampleTests
{
    private static readonly Example.OwnTaskOptions Small = new()
    {
        TrainWords = 64, HeldOutWords = 12, Width = 32, Layers = 1, SftSteps = 20, RlIterations = 2, Episodes = 8, EvaluationSamples = 2,
    };

    [Test]
    public void TheExampleTrainsEvaluatesAndReloadsItsPipeline()
    {
        var lines = new List<string>();
        var result = Example.OwnTaskRun.Run(Small, lines.Add);

        foreach (var m in new[] { result.Sft, result.Ppo, result.IPpo })
        {
            Assert.That(m.Prompts, Is.EqualTo(12));
            Assert.That(new[] { m.Accuracy, m.GreedyAccuracy, m.MajorityVote, m.PassAtK }, Has.All.InRange(0.0, 1.0));
            Assert.That(m.PassAtK, Is.GreaterThanOrEqualTo(m.Accuracy - 1e-12), "pass@k with k = samples is at least the mean accuracy");
            Assert.That(m.FaithfulAccuracy, Is.NaN, "the example's judge has no step checker");
        }
        Assert.That(result.GreedyBeforeSave, Has.Count.EqualTo(12));
        Assert.That(result.GreedyAfterLoad, Is.EqualTo(result.GreedyBeforeSave), "the saved pipeline reloads with the same weights");
        Assert.That(result.IPpoKeptFraction, Is.InRange(0.0, 1.0));
        Assert.That(result.LogLines, Is.EqualTo(lines.Count));
        Assert.That(lines.Count(l => l.StartsWith("SFT: 20 steps", StringComparison.Ordinal)), Is.EqualTo(1));
        Assert.That(lines.Count(l => l.StartsWith("PPO: 2 iterations of 8 episodes", StringComparison.Ordinal)), Is.EqualTo(2), "PPO, then I-PPO");
        Assert.That(lines.Count(l => l.StartsWith("iteration ", StringComparison.Ordinal)), Is.InRange(3, 4), "one line per RL iteration (I-PPO may stop early)");
    }

    [Test]
    public void TheExamplesRewardAndJudgeScoreAsDocumented()
    {
        var reward = Example.WordReversal.Reward;
        Assert.That(reward(new("abc>", "cba", "cba", true)), Is.EqualTo(1.0));
        Assert.That(reward(new("abc>", "cxa", "cba", true)), Is.EqualTo(0.5 * 2 / 3).Within(1e-12));
        Assert.That(reward(new("abc>", "cba", null, false)), Is.EqualTo(0.8).Within(1e-12), "the answer from the prompt; 0.2 off without EOS");
        var judge = new Example.WordReversal.Judge();
        Assert.That(judge.TrueAnswer("abcd>", null), Is.EqualTo("dcba"));
        Assert.That(judge.ExtractAnswer(""), Is.Null);
    }
}
