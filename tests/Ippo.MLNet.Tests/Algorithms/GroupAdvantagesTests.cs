using Ippo.MLNet.Core.Algorithms;
using NUnit.Framework;
using static Ippo.MLNet.Tests.Algorithms.AlgorithmTestData;

namespace Ippo.MLNet.Tests.Algorithms;

public class GroupAdvantagesTests
{
    private const double Eps = GroupAdvantages.DefaultEpsilon;

    [Test]
    public void GrpoScaledByGroupStdMatchesHandValues()
    {
        // Centred by group mean: [1-2, 0-1, 3-2, 0-1, 3-1] = [-1, -1, 1, -1, 2]; group 7 divides by sqrt2 + eps, group 3 by sqrt3 + eps.
        double s2 = Math.Sqrt(2) + Eps, s3 = Math.Sqrt(3) + Eps;
        var (adv, ret) = GroupAdvantages.Grpo(T(Scores), T(Mask), Ids(GroupIds), RewardScaling.Group);
        var expected = OnMask(new[] { -1 / s2, -1 / s3, 1 / s2, -1 / s3, 2 / s3 }, Mask);
        Assert.That(Flat(adv), Is.EqualTo(expected).Within(1e-12));
        Assert.That(Flat(ret), Is.EqualTo(expected).Within(1e-12));
    }

    [Test]
    public void GrpoScaledByBatchStdMatchesHandValues()
    {
        // Batch scores [1, 0, 3, 0, 3]: mean 1.4, squared deviations .16 + 1.96 + 2.56 + 1.96 + 2.56 = 9.2, Bessel var 9.2 / 4 = 2.3.
        double s = Math.Sqrt(2.3) + Eps;
        var (adv, _) = GroupAdvantages.Grpo(T(Scores), T(Mask), Ids(GroupIds), RewardScaling.Batch);
        Assert.That(Flat(adv), Is.EqualTo(OnMask(new[] { -1 / s, -1 / s, 1 / s, -1 / s, 2 / s }, Mask)).Within(1e-12));
    }

    [Test]
    public void GrpoWithoutScalingAndDrGrpoSubtractTheGroupMeanOnly()
    {
        var expected = OnMask(new double[] { -1, -1, 1, -1, 2 }, Mask);
        var (adv, _) = GroupAdvantages.Grpo(T(Scores), T(Mask), Ids(GroupIds), RewardScaling.None);
        Assert.That(Flat(adv), Is.EqualTo(expected).Within(1e-12));
        var tokenRewards = new double[5, 3];
        for (int i = 0; i < 5; i++) tokenRewards[i, 0] = Scores[i];
        // ScaleRewards = Group must not matter to dr_grpo.
        var (dr, _) = AdvantageEstimators.Get(AdvantageEstimators.DrGrpo)
            .Compute(new AdvantageInputs(T(tokenRewards), T(Mask), Ids(GroupIds)), new AdvantageSettings { ScaleRewards = RewardScaling.Group });
        Assert.That(Flat(dr), Is.EqualTo(expected).Within(1e-12));
    }

    [Test]
    public void GrpoGivesZeroNotNaNWhenAGroupAgrees()
    {
        // Group 0 scores [2, 2]: centred 0, std 0, so 0 / (0 + eps) = 0. Group 1 [0, 1]: mean .5, std sqrt(.5).
        var (adv, _) = GroupAdvantages.Grpo(T(new double[] { 2, 2, 0, 1 }), T(new double[,] { { 1 }, { 1 }, { 1 }, { 1 } }), Ids(0, 0, 1, 1));
        double s = Math.Sqrt(0.5) + Eps;
        Assert.That(Flat(adv), Is.EqualTo(new[] { 0, 0, -0.5 / s, 0.5 / s }).Within(1e-12));
    }

    [Test]
    public void RlooSubtractsTheMeanOfTheOtherEpisodes()
    {
        // Group 7 [1, 3]: 1 - 3 = -2, 3 - 1 = 2. Group 3 [0, 0, 3]: 0 - (0 + 3) / 2 = -1.5 twice, 3 - (0 + 0) / 2 = 3.
        var (adv, ret) = GroupAdvantages.Rloo(T(Scores), T(Mask), Ids(GroupIds));
        var expected = OnMask(new[] { -2, -1.5, 2, -1.5, 3 }, Mask);
        Assert.That(Flat(adv), Is.EqualTo(expected).Within(1e-12));
        Assert.That(Flat(ret), Is.EqualTo(expected).Within(1e-12));
    }

    [Test]
    public void ReinforcePlusPlusBaselineWhitensTheGroupCentredScoresOverTokens()
    {
        // Centred [-1, -1, 1, -1, 2] over lengths [2, 1, 2, 1, 1]: tokens -1 -1 | -1 | 1 1 | -1 | 2, 7 tokens summing to 0,
        // squares sum 10, Bessel var 10 / 6 = 5/3; MaskedWhiten divides by sqrt(5/3 + 1e-8).
        double s = Math.Sqrt(5.0 / 3 + 1e-8);
        var (adv, _) = GroupAdvantages.ReinforcePlusPlusBaseline(T(Scores), T(Mask), Ids(GroupIds));
        Assert.That(Flat(adv), Is.EqualTo(OnMask(new[] { -1 / s, -1 / s, 1 / s, -1 / s, 2 / s }, Mask)).Within(1e-12));
    }

    [TestCase("grpo")]
    [TestCase("rloo")]
    [TestCase("reinforce_plus_plus_baseline")]
    public void AGroupOfOneIsAnErrorNamingTheOptionAndTheGroup(string estimator)
    {
        var scores = T(new double[] { 1, 0, 1 });
        var mask = T(new double[,] { { 1 }, { 1 }, { 1 } });
        var ids = Ids(4, 4, 9);
        Action call = estimator switch
        {
            "grpo" => () => GroupAdvantages.Grpo(scores, mask, ids),
            "rloo" => () => GroupAdvantages.Rloo(scores, mask, ids),
            _ => () => GroupAdvantages.ReinforcePlusPlusBaseline(scores, mask, ids),
        };
        var error = Assert.Throws<ArgumentException>(() => call())!;
        Assert.That(error.Message, Does.Contain("SamplesPerPrompt").And.Contain("group id 9").And.Contain(estimator));
    }

    [Test]
    public void PermutingEpisodesPermutesTheirAdvantages()
    {
        // The same episodes in another order (group ids travel with them) must get the same advantages.
        int[] order = { 4, 2, 0, 3, 1 };
        var scores = order.Select(i => Scores[i]).ToArray();
        var ids = order.Select(i => GroupIds[i]).ToArray();
        var mask = new double[5, 3];
        for (int r = 0; r < 5; r++) for (int c = 0; c < 3; c++) mask[r, c] = Mask[order[r], c];
        foreach (var scaling in new[] { RewardScaling.Group, RewardScaling.Batch })
        {
            var original = Flat(GroupAdvantages.Grpo(T(Scores), T(Mask), Ids(GroupIds), scaling).Advantages);
            var permuted = Flat(GroupAdvantages.Grpo(T(scores), T(mask), Ids(ids), scaling).Advantages);
            var expected = order.SelectMany(i => original.Skip(i * 3).Take(3)).ToArray();
            Assert.That(permuted, Is.EqualTo(expected).Within(1e-12), scaling.ToString());
        }
    }
    [Test]
    public void RlooIsGroupCentredScoresTimesNOverNMinusOne()
    {
        // s_i - (S - s_i) / (n - 1) = (n s_i - S) / (n - 1) = n / (n - 1) (s_i - S / n): two routes, float64 rounding.
        var rng = new Random(3);
        long[] ids = { 0, 1, 0, 2, 1, 0, 2, 2, 2, 1 };
        var scores = ids.Select(_ => rng.NextDouble() * 4 - 2).ToArray();
        var sizes = ids.Select(g => (double)ids.Count(x => x == g)).ToArray();
        var mask = new double[ids.Length, 1];
        for (int i = 0; i < ids.Length; i++) mask[i, 0] = 1;
        var rloo = Flat(GroupAdvantages.Rloo(T(scores), T(mask), Ids(ids)).Advantages);
        var centred = Flat(GroupAdvantages.Grpo(T(scores), T(mask), Ids(ids), RewardScaling.None).Advantages);
        Assert.That(rloo, Is.EqualTo(centred.Select((c, i) => c * sizes[i] / (sizes[i] - 1)).ToArray()).Within(1e-12));
    }
}
