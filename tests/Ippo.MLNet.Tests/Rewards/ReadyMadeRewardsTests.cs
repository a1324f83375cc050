using Ippo.MLNet.Core.Rewards;
using NUnit.Framework;

namespace Ippo.MLNet.Tests.Rewards;

/// <summary>Exact match, regex, numeric and weighted rewards against hand-computed values.</summary>
public class ReadyMadeRewardsTests
{
    private static RewardInput In(string completion, string? reference = null, string prompt = "p") => new(prompt, completion, reference, EndedWithEos: true);

    [Test]
    public void ExactMatchComparesTrimmedTextWithTheReferenceOrTheTruthFunction()
    {
        var reward = ExactMatchReward.Create(truth: p => p.ToUpperInvariant(), correct: 2, wrong: -1);
        Assert.That(reward(In(" cba ", "cba")), Is.EqualTo(2));
        Assert.That(reward(In("cb", "cba")), Is.EqualTo(-1));
        Assert.That(reward(In("CBA", "cba")), Is.EqualTo(-1), "case matters");
        Assert.That(reward(In("XY", reference: null, prompt: "xy")), Is.EqualTo(2), "no reference: the truth function's answer");
        var untrimmed = ExactMatchReward.Create(trim: false);
        Assert.That(untrimmed(In(" cba", "cba")), Is.EqualTo(0));
        Assert.That(() => ExactMatchReward.Create()(In("a")), Throws.InvalidOperationException.With.Message.Contains("no reference"));
    }

    [Test]
    public void RegexRewardMatchesTheWholeCompletionUnlessToldOtherwise()
    {
        var full = RegexReward.Create("<answer>[a-z]+</answer>", match: 0.5);
        Assert.That(full(In("<answer>abc</answer>")), Is.EqualTo(0.5));
        Assert.That(full(In("so <answer>abc</answer>")), Is.EqualTo(0), "full match: leading text fails");
        var anywhere = RegexReward.Create("<answer>[a-z]+</answer>", fullMatch: false);
        Assert.That(anywhere(In("so <answer>abc</answer>!")), Is.EqualTo(1));
        Assert.That(anywhere(In("<answer>ABC</answer>")), Is.EqualTo(0));
        // The pattern's alternation stays inside the anchors: "a|b" must not match "ab".
        Assert.That(RegexReward.Create("a|b")(In("ab")), Is.EqualTo(0));
    }

    [TestCase("the answer is 42", 42.0)]
    [TestCase("3 apples and 1,234.5 pears", 1234.5)]
    [TestCase("x = -0.25.", -0.25)]
    [TestCase("2e3", 2000.0)]
    [TestCase("#### .5", 0.5)]
    public void LastNumberReadsTheFinalNumber(string text, double expected) =>
        Assert.That(NumericReward.LastNumber(text), Is.EqualTo(expected));

    [Test]
    public void LastNumberIsNullWithoutDigits() => Assert.That(NumericReward.LastNumber("no digits here"), Is.Null);

    [Test]
    public void NumericRewardComparesWithinTheTolerance()
    {
        var reward = NumericReward.Create(tolerance: 0.01, correct: 1, wrong: -0.5, noNumber: -1);
        Assert.That(reward(In("so 3.005", "#### 3")), Is.EqualTo(1), "|3.005 - 3| = 0.005 <= 0.01");
        Assert.That(reward(In("so 3.02", "3")), Is.EqualTo(-0.5), "|3.02 - 3| = 0.02 > 0.01");
        Assert.That(reward(In("none", "3")), Is.EqualTo(-1));
        var computed = NumericReward.Create(truth: p => p.Length);
        Assert.That(computed(In("4", reference: null, prompt: "abcd")), Is.EqualTo(1));
        Assert.That(() => NumericReward.Create(tolerance: -1), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("tolerance"));
    }

    [Test]
    public void WeightedRewardsSumTheWeightedComponentsAndReportEachOnesMeanAndStd()
    {
        var rewards = new WeightedRewards(
            new NamedReward("exact", ExactMatchReward.Create(), 1.0),
            new NamedReward("format", RegexReward.Create("[a-c]+"), 0.25));
        var inputs = new[] { In("abc", "abc"), In("abd", "abc"), In("xyz", "abc") };
        // exact: 1, 0, 0; format: 1, 0, 0 ("abd" has a d) -> scores 1.25, 0, 0.
        Assert.That(inputs.Select(rewards.Score), Is.EqualTo(new[] { 1.25, 0, 0 }));
        var components = inputs.Select(rewards.Components).ToList();
        var metrics = rewards.Metrics(components);
        Assert.That(metrics[WeightedRewards.MeanMetric("exact")], Is.EqualTo(1.0 / 3).Within(1e-15));
        Assert.That(metrics[WeightedRewards.StdMetric("exact")], Is.EqualTo(Math.Sqrt(2.0 / 9)).Within(1e-15), "population std of {1, 0, 0}");
        Assert.That(metrics.Keys, Is.EquivalentTo(new[] { "rewards/exact/mean", "rewards/exact/std", "rewards/format/mean", "rewards/format/std" }));
    }

    [Test]
    public void WeightedRewardsRejectBadEntriesNamingThem()
    {
        RewardFunction one = _ => 1;
        Assert.That(() => new WeightedRewards(), Throws.ArgumentException.With.Message.Contains("at least one"));
        Assert.That(() => new WeightedRewards(new NamedReward("a", one), new NamedReward("a", one)), Throws.ArgumentException.With.Message.Contains("\"a\" appears twice"));
        Assert.That(() => new WeightedRewards(new NamedReward("a/b", one)), Throws.ArgumentException.With.Message.Contains("a/b"));
        Assert.That(() => new WeightedRewards(new NamedReward("a", one, double.NaN)), Throws.ArgumentException.With.Message.Contains("weight"));
        var bad = new WeightedRewards(new NamedReward("nan", _ => double.NaN));
        Assert.That(() => bad.Score(In("x")), Throws.InvalidOperationException.With.Message.Contains("\"nan\""));
    }
}
