using Ippo.MLNet.Tests.Influence;
using Ippo.MLNet.Tests.Ppo;
using Ippo.MLNet.Tests.Tasks;
using NUnit.Framework;

namespace Ippo.MLNet.Tests.Reliability;

/// <summary>
/// Re-measures the spread over seeds behind the training-outcome thresholds of the end-to-end tests. A CPU that rounds
/// differently changes a seeded run as much as another seed does, so a threshold must hold on every seed, with margin.
/// Explicit (minutes per seed): <c>dotnet test ... --filter "FullyQualifiedName~SeedSpreadTests"</c>; the seed count
/// comes from <c>IPPO_SEED_SPREAD</c> (default 4).
/// </summary>
[Explicit("Several full training runs per seed; run by hand when a threshold or the training code changes.")]
public class SeedSpreadTests
{
    private static IEnumerable<int> Offsets =>
        Enumerable.Range(0, int.TryParse(Environment.GetEnvironmentVariable("IPPO_SEED_SPREAD"), out var n) ? n : 4);

    [Test]
    public void PpoGainsClearTheirFloorsOnEverySeed()
    {
        var outcomes = Offsets.Select(s => (Seed: s, Outcome: PpoEndToEndTests.Run(s))).ToList();
        foreach (var (seed, o) in outcomes) TestContext.Out.WriteLine($"seed offset {seed}: reward gain {o.RewardGain:F4}, accuracy gain {o.AccuracyGain:F4}, last kl {o.LastKl:E2}");
        Assert.That(outcomes.Select(o => o.Outcome.RewardGain), Has.All.GreaterThan(PpoEndToEndTests.RewardGainFloor));
        Assert.That(outcomes.Select(o => o.Outcome.AccuracyGain), Has.All.GreaterThan(PpoEndToEndTests.AccuracyGainFloor));
    }

    [Test]
    public void SftThresholdsHoldOnEverySeed()
    {
        var outcomes = Offsets.Select(s => (Seed: s, Metrics: SftEndToEndTests.Run(s))).ToList();
        foreach (var (seed, m) in outcomes)
            TestContext.Out.WriteLine($"seed offset {seed}: greedy {m.Before.GreedyAccuracy:P1} -> {m.After.GreedyAccuracy:P1}, malformed after {m.After.MalformedRate:P1}");
        Assert.That(outcomes.Select(o => o.Metrics.Before.GreedyAccuracy), Has.All.LessThan(SftEndToEndTests.UntrainedAccuracyCeiling));
        Assert.That(outcomes.Select(o => o.Metrics.After.GreedyAccuracy), Has.All.GreaterThan(SftEndToEndTests.TrainedAccuracyFloor));
        Assert.That(outcomes.Select(o => o.Metrics.After.MalformedRate), Has.All.LessThan(SftEndToEndTests.MalformedCeiling));
    }

    [Test]
    public void UnfaithfulEpisodesScoreLowerOnEverySeed()
    {
        var outcomes = Offsets.Select(s => (Seed: s, Iterations: FaithfulnessScoreTests.Run(s))).ToList();
        foreach (var (seed, iterations) in outcomes)
            TestContext.Out.WriteLine($"seed offset {seed}: faithful {iterations.Sum(i => i.Faithful.Count)}, unfaithful {iterations.Sum(i => i.Unfaithful.Count)}, " +
                $"P(faithful outscores unfaithful) {FaithfulnessScoreTests.FaithfulOutscoresUnfaithful(iterations):F3}");
        // The test averages two runs: every pair of seeds must clear the floor.
        var ranks = outcomes.Select(o => FaithfulnessScoreTests.FaithfulOutscoresUnfaithful(o.Iterations)).ToList();
        var pairs = ranks.SelectMany((a, i) => ranks.Skip(i + 1).Select(b => (a + b) / 2)).ToList();
        TestContext.Out.WriteLine($"worst pair mean {pairs.DefaultIfEmpty(double.NaN).Min():F3}");
        Assert.That(pairs, Has.All.GreaterThan(FaithfulnessScoreTests.RankFloor));
    }
}
