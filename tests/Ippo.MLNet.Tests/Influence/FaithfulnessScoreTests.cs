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

    /// <summary>Over 12 seeds (SeedSpreadTests) the rank statistic below was at least this: see <see cref="Run"/>.</summary>
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
        using var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), new PpoOptions { EpisodesPerIteration = 64, MaxNewTokens = 16, Seed = 7 + seedOffset }, filter);
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
        var iterations = Run(seedOffset: 0);
        int faithful = iterations.Sum(i => i.Faithful.Count), unfaithful = iterations.Sum(i => i.Unfaithful.Count);
        double rank = FaithfulOutscoresUnfaithful(iterations);
        TestContext.Out.WriteLine($"correct faithful {faithful}, correct unfaithful {unfaithful}, P(faithful outscores unfaithful) {rank:F3}");
        Assert.That(faithful, Is.GreaterThanOrEqualTo(5));
        Assert.That(unfaithful, Is.GreaterThanOrEqualTo(5));
        // Floor from the spread over seeds (SeedSpreadTests): another CPU's rounding changes the run like another seed does.
        Assert.That(rank, Is.GreaterThan(RankFloor), "faithful episodes outscore unfaithful ones more often than not");
    }
}
