using Ippo.MLNet.Core.Influence;
using NUnit.Framework;

namespace Ippo.MLNet.Tests.Influence;

public class InfluenceSelectionTests
{
    private static readonly double[] Scores = { 0.3, -0.2, 0.0, 0.9, 1e-9, -5 };

    [Test]
    public void ThresholdDropsScoresAtOrBelowItAndWeightsAverageOne()
    {
        var decision = InfluenceSelection.Threshold(Scores, 0, reweight: true);
        Assert.That(decision.Kept, Is.EqualTo(new[] { 0, 3, 4 }));
        double mean = (0.3 + 0.9 + 1e-9) / 3;
        Assert.That(decision.Weights!, Is.EqualTo(new[] { 0.3 / mean, 0.9 / mean, 1e-9 / mean }).Within(1e-6));
        Assert.That(decision.Weights!.Average(w => (double)w), Is.EqualTo(1.0).Within(1e-6));
    }

    [Test]
    public void WithoutReweightingKeptEpisodesWeighOne()
    {
        var decision = InfluenceSelection.Threshold(Scores, 0.25, reweight: false);
        Assert.That(decision.Kept, Is.EqualTo(new[] { 0, 3 }));
        Assert.That(decision.Weights, Is.Null);
    }

    [Test]
    public void RandomDropKeepsTheSameCountDrawnBySeed()
    {
        var a = InfluenceSelection.RandomDrop(Scores, 0, new Random(4));
        var b = InfluenceSelection.RandomDrop(Scores, 0, new Random(4));
        var draws = Enumerable.Range(0, 200).Select(s => InfluenceSelection.RandomDrop(Scores, 0, new Random(s)).Kept).ToList();
        Assert.That(a.Kept, Has.Count.EqualTo(3));
        Assert.That(a.Kept, Is.Ordered.And.Unique);
        Assert.That(a.Kept, Is.EqualTo(b.Kept));
        Assert.That(a.Weights, Is.Null);
        Assert.That(draws.SelectMany(k => k).Distinct().Count(), Is.EqualTo(Scores.Length), "every episode can be drawn, not only the high scorers");
    }

    [Test]
    public void NothingAboveTheThresholdKeepsNothing()
    {
        var decision = InfluenceSelection.Threshold(new[] { -1.0, 0.0 }, 0, reweight: true);
        Assert.That(decision.Kept, Is.Empty);
    }

    [TestCase(nameof(InfluenceFilterOptions.Threshold), -0.1)]
    [TestCase(nameof(InfluenceFilterOptions.MinKeptFraction), 1.5)]
    [TestCase(nameof(InfluenceFilterOptions.Patience), 0)]
    [TestCase(nameof(InfluenceFilterOptions.RecomputeValidationEvery), 0)]
    public void InvalidOptionsNameTheOptionAndRange(string option, double value)
    {
        var options = option switch
        {
            nameof(InfluenceFilterOptions.Threshold) => new InfluenceFilterOptions { Threshold = value, Reweight = true },
            nameof(InfluenceFilterOptions.MinKeptFraction) => new InfluenceFilterOptions { MinKeptFraction = value },
            nameof(InfluenceFilterOptions.Patience) => new InfluenceFilterOptions { Patience = (int)value },
            _ => new InfluenceFilterOptions { RecomputeValidationEvery = (int)value },
        };
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => options.Validate())!;
        Assert.That(error.Message, Does.Contain($"InfluenceFilterOptions.{option}").And.Contain("must be in"));
    }

    [Test]
    public void TheDefaultKeepsEpisodesUnweightedAndAllowsANegativeThreshold()
    {
        var options = new InfluenceFilterOptions { Threshold = -0.25 }.Validate();
        var decision = InfluenceSelection.Apply(Scores, options, new Random(0));
        Assert.That(options.Reweight, Is.False);
        Assert.That(decision.Kept, Is.EqualTo(new[] { 0, 1, 2, 3, 4 }));
        Assert.That(decision.Weights, Is.Null, "kept episodes weigh 1 unless Reweight is set");
        var paper = InfluenceSelection.Apply(Scores, new InfluenceFilterOptions { Reweight = true }, new Random(0));
        Assert.That(paper.Weights, Is.Not.Null, "Reweight = true is the paper's s / mean(s)");
    }
}
