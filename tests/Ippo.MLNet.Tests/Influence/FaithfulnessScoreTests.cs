using Ippo.MLNet.Tests.RlMoves;
using Ippo.MLNet.Core.Evaluation;
using Ippo.MLNet.Core.Influence;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using Ippo.MLNet.Tests.Ppo;
using NUnit.Framework;

namespace Ippo.MLNet.Tests.Influence;

public class FaithfulnessScoreTests
{
    private const int Iterations = 6;

    /// <summary>
    /// Floor on the mean rank statistic of two seeded runs. Over 12 seeds (SeedSpreadTests) one run gave 0.46-0.87
    /// (mean 0.72, sd 0.095: a single run can fall below 0.5); the mean of two has sd about 0.067, so 0.55 is about
    /// mean - 2.5 sd, and the worst pair of the 12 gave 0.564. A score blind to faithfulness gives 0.5 +- 0.06.
    /// </summary>
    internal const double RankFloor = 0.55;

    /// <summary>Scores of one iteration's correct faithful and correct unfaithful episodes.</summary>
    internal sealed record IterationScores(List<double> Faithful, List<double> Unfaithful);

    /// <summary>Influence scores of correct faithful and correct unfaithful episodes, per iteration, over one seeded run.</summary>
    internal static List<IterationScores> Run(int seedOffset)
    {
        using var policy = PpoEndToEndTests.WarmStart(600, seedOffset);
        var prompts = ArithmeticDefaults.HeldOutPrompts(PpoEndToEndTests.EasyTask, 400, seed: 10);
        var gold = ArithmeticDefaults.GoldTraces(PpoEndToEndTests.EasyTask, 32, seed: 12, exclude: prompts.Select(p => p.Prompt));
        using var filter = new InfluenceFilter(ArithmeticDefaults.Tokenize(policy, gold),
            new InfluenceFilterOptions { Rule = InfluenceRule.KeepAll, MinKeptFraction = 0 }, new ArithmeticJudge());
        using var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), OldPpoDefaults.Ppo with { EpisodesPerIteration = 64, MaxNewTokens = 16, Seed = 7 + seedOffset }, filter);
        var result = new List<IterationScores>();
        for (int i = 0; i < Iterations; i++)
        {
            trainer.Step(prompts);
            result.Add(new IterationScores(
                filter.LastEpisodes.Where(e => e.Label == TraceLabel.CorrectFaithful).Select(e => e.Score).ToList(),
                filter.LastEpisodes.Where(e => e.Label == TraceLabel.CorrectUnfaithful).Select(e => e.Score).ToList()));
        }
        return result;
    }

    /// <summary>
    /// The chance that a correct faithful episode outscores a correct unfaithful one of the same iteration (ties count
    /// half): 0.5 when the score cannot tell them apart. Pairs are formed within an iteration because the scale of the
    /// scores changes with the policy from one iteration to the next.
    /// </summary>
    internal static double FaithfulOutscoresUnfaithful(IEnumerable<IterationScores> iterations)
    {
        double wins = 0, pairs = 0;
        foreach (var (faithful, unfaithful) in iterations)
            foreach (var f in faithful)
                foreach (var u in unfaithful)
                {
                    wins += f > u ? 1 : f == u ? 0.5 : 0;
                    pairs++;
                }
        return pairs == 0 ? double.NaN : wins / pairs;
    }

    [Test]
    public void AmongCorrectEpisodesUnfaithfulOnesScoreLowerThanFaithfulOnes()
    {
        // Two seeded runs: another CPU's rounding changes a run like another seed does, and one run alone is too noisy.
        var runs = new[] { Run(seedOffset: 0), Run(seedOffset: 1) };
        foreach (var iterations in runs)
        {
            int faithful = iterations.Sum(i => i.Faithful.Count), unfaithful = iterations.Sum(i => i.Unfaithful.Count);
            TestContext.Out.WriteLine($"correct faithful {faithful}, correct unfaithful {unfaithful}, P(faithful outscores unfaithful) {FaithfulOutscoresUnfaithful(iterations):F3}");
            Assert.That(faithful, Is.GreaterThanOrEqualTo(5));
            Assert.That(unfaithful, Is.GreaterThanOrEqualTo(5));
        }
        double rank = runs.Average(FaithfulOutscoresUnfaithful);
        Assert.That(rank, Is.GreaterThan(RankFloor), "faithful episodes outscore unfaithful ones clearly more often than not");
    }
}
