using Ippo.MLNet.Core.Algorithms;
using NUnit.Framework;
using TorchSharp;
using static Ippo.MLNet.Tests.Algorithms.AlgorithmTestData;
using static TorchSharp.torch;

namespace Ippo.MLNet.Tests.Algorithms;

public class GroupHelpersTests
{
    [Test]
    public void GroupStatsMatchHandValuesWithInterleavedNonContiguousIds()
    {
        // Group 7 = [1, 3]: mean 2, std sqrt2, range 2. Group 3 = [0, 0, 3]: mean 1, std sqrt3, range 3.
        var scores = T(Scores);
        var ids = Ids(GroupIds);
        Assert.That(Flat(GroupStats.Mean(scores, ids)), Is.EqualTo(new double[] { 2, 1, 2, 1, 1 }).Within(1e-12));
        double r2 = Math.Sqrt(2), r3 = Math.Sqrt(3);
        Assert.That(Flat(GroupStats.Std(scores, ids)), Is.EqualTo(new[] { r2, r3, r2, r3, r3 }).Within(1e-12));
        Assert.That(Flat(GroupStats.Range(scores, ids)), Is.EqualTo(new double[] { 2, 3, 2, 3, 3 }));
    }

    [Test]
    public void AGroupOfOneHasZeroStdAndRange()
    {
        var scores = T(new double[] { 5, 1, 2 });
        var ids = Ids(0, 1, 1);
        Assert.That(Flat(GroupStats.Std(scores, ids))[0], Is.EqualTo(0));
        Assert.That(Flat(GroupStats.Range(scores, ids)), Is.EqualTo(new double[] { 0, 1, 1 }));
    }

    [Test]
    public void IdsLayOutSamplesOfAPromptNextToEachOther()
    {
        Assert.That(Groups.Ids(3, 2).data<long>().ToArray(), Is.EqualTo(new long[] { 0, 0, 1, 1, 2, 2 }));
        Assert.That(() => Groups.Ids(2, 0), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contain("SamplesPerPrompt"));
    }

    [Test]
    public void ZeroStdFractionCountsGroupsNotEpisodes()
    {
        // Groups: 0 = [1, 1] agrees, 1 = [0, 1] does not, 2 = [.5, .5, .5] agrees. Groups agreeing: 2 of 3
        // (weighting episodes instead would give 5 of 7).
        var scores = T(new[] { 1, 1, 0, 1, 0.5, 0.5, 0.5 });
        var ids = Ids(0, 0, 1, 1, 2, 2, 2);
        Assert.That(Groups.ZeroStd(scores, ids).data<bool>().ToArray(), Is.EqualTo(new[] { true, true, false, false, true, true, true }));
        Assert.That(Groups.FractionZeroStd(scores, ids), Is.EqualTo(2.0 / 3).Within(1e-15));
        Assert.That(Groups.KeepMask(scores, ids).data<bool>().ToArray(), Is.EqualTo(new[] { false, false, true, true, false, false, false }));
    }

    [Test]
    public void ZeroStdToleranceDecidesNearlyEqualScores()
    {
        var scores = T(new[] { 0, 1e-9 });
        var ids = Ids(0, 0);
        Assert.That(Groups.FractionZeroStd(scores, ids), Is.EqualTo(0));
        Assert.That(Groups.FractionZeroStd(scores, ids, tolerance: 1e-8), Is.EqualTo(1));
    }

    [Test]
    public void TruncatedIsTheRowsWhoseLastResponseTokenIsNotEos()
    {
        // EOS = 2. Row 0 ends with EOS; row 1 runs to the limit; row 2 is one EOS; row 3 has EOS only in its padding.
        var tokens = tensor(new long[,] { { 5, 2, 0 }, { 5, 5, 5 }, { 2, 0, 0 }, { 5, 5, 2 } });
        var mask = T(new double[,] { { 1, 1, 0 }, { 1, 1, 1 }, { 1, 0, 0 }, { 1, 1, 0 } });
        var truncated = CompletionMasks.Truncated(tokens, mask, eosTokenId: 2);
        Assert.That(truncated.data<bool>().ToArray(), Is.EqualTo(new[] { false, true, false, true }));
        var masked = CompletionMasks.MaskTruncated(mask, truncated);
        Assert.That(Flat(masked), Is.EqualTo(new double[] { 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0 }));
    }

    [Test]
    public void RolloutMetricsMatchHandValues()
    {
        // Scores [1, 0, 3, 0, 3], lengths [2, 1, 2, 1, 1], row 1 truncated.
        // reward 7/5; reward_std = mean of [sqrt2, sqrt3, sqrt2, sqrt3, sqrt3]; no group agrees;
        // lengths mean 7/5, min 1, max 2; clipped 1/5; terminated lengths [2, 2, 1, 1]: mean 1.5, min 1, max 2.
        var truncated = tensor(new[] { false, true, false, false, false });
        var m = GrpoRolloutMetrics.Compute(T(Scores), Ids(GroupIds), T(Mask), truncated);
        Assert.That(m[GrpoMetricNames.Reward], Is.EqualTo(1.4).Within(1e-12));
        Assert.That(m[GrpoMetricNames.RewardStd], Is.EqualTo((2 * Math.Sqrt(2) + 3 * Math.Sqrt(3)) / 5).Within(1e-12));
        Assert.That(m[GrpoMetricNames.FracRewardZeroStd], Is.EqualTo(0));
        Assert.That(m[GrpoMetricNames.CompletionsMeanLength], Is.EqualTo(1.4).Within(1e-12));
        Assert.That(m[GrpoMetricNames.CompletionsMinLength], Is.EqualTo(1));
        Assert.That(m[GrpoMetricNames.CompletionsMaxLength], Is.EqualTo(2));
        Assert.That(m[GrpoMetricNames.CompletionsClippedRatio], Is.EqualTo(0.2).Within(1e-12));
        Assert.That(m[GrpoMetricNames.CompletionsMeanTerminatedLength], Is.EqualTo(1.5).Within(1e-12));
        Assert.That(m[GrpoMetricNames.CompletionsMinTerminatedLength], Is.EqualTo(1));
        Assert.That(m[GrpoMetricNames.CompletionsMaxTerminatedLength], Is.EqualTo(2));
    }

    [Test]
    public void FloatGroupIdsAreRefused()
    {
        Assert.That(() => GroupStats.Mean(T(Scores), T(new double[] { 0, 0, 1, 1, 1 })),
            Throws.ArgumentException.With.Message.Contain("groupIds").And.Message.Contain("integer"));
    }
}
