using Ippo.MLNet.Core.Evaluation;
using Ippo.MLNet.Core.Influence;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using Ippo.MLNet.Tests.Ppo;
using NUnit.Framework;

namespace Ippo.MLNet.Tests.Influence;

public class FaithfulnessScoreTests
{
    [Test]
    public void AmongCorrectEpisodesUnfaithfulOnesScoreLowerThanFaithfulOnes()
    {
        using var policy = PpoEndToEndTests.WarmStart(600);
        var prompts = ArithmeticDefaults.HeldOutPrompts(PpoEndToEndTests.EasyTask, 400, seed: 10);
        var gold = ArithmeticDefaults.GoldTraces(PpoEndToEndTests.EasyTask, 32, seed: 12, exclude: prompts.Select(p => p.Prompt));
        using var filter = new InfluenceFilter(ArithmeticDefaults.Tokenize(policy, gold),
            new InfluenceFilterOptions { Rule = InfluenceRule.KeepAll, MinKeptFraction = 0 }, new ArithmeticJudge());
        using var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), new PpoOptions { EpisodesPerIteration = 64, MaxNewTokens = 16, Seed = 7 }, filter);
        var scored = new List<ScoredEpisode>();
        for (int i = 0; i < 4; i++)
        {
            trainer.Step(prompts);
            scored.AddRange(filter.LastEpisodes);
        }

        var faithful = scored.Where(e => e.Label == TraceLabel.CorrectFaithful).Select(e => e.Score).ToList();
        var unfaithful = scored.Where(e => e.Label == TraceLabel.CorrectUnfaithful).Select(e => e.Score).ToList();
        TestContext.Out.WriteLine($"episodes {scored.Count}; correct faithful {faithful.Count}, mean score {faithful.Average():E3}, kept (score > 0) {faithful.Count(s => s > 0) / (double)faithful.Count:P0}");
        TestContext.Out.WriteLine($"correct unfaithful {unfaithful.Count}, mean score {unfaithful.Average():E3}, kept (score > 0) {unfaithful.Count(s => s > 0) / (double)unfaithful.Count:P0}");
        Assert.That(faithful.Count, Is.GreaterThanOrEqualTo(5));
        Assert.That(unfaithful.Count, Is.GreaterThanOrEqualTo(5));
        Assert.That(unfaithful.Average(), Is.LessThan(faithful.Average()));
    }
}
