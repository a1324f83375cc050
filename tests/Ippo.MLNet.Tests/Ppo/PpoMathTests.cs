using Ippo.MLNet.Core.Ppo;
using NUnit.Framework;
using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Tests.Ppo;

public class PpoMathTests
{
    private static Tensor T(double[,] x) => tensor(x, ScalarType.Float64);
    private static double[] Flat(Tensor t) => t.to(ScalarType.Float64).data<double>().ToArray();
    private static double[] Flat(double[,] x) => x.Cast<double>().ToArray();

    private static readonly double[,] Mask2x4 = { { 1, 1, 1, 0 }, { 1, 1, 0, 0 } };

    [Test]
    public void GaeMatchesAHandComputedExample()
    {
        // One row, rewards [0, 0, 1], values [0.5, 0.6, 0.7], gamma 1, lambda 0.5:
        // delta2 = 1 - 0.7 = 0.3; A2 = 0.3
        // delta1 = 0 + 0.7 - 0.6 = 0.1; A1 = 0.1 + 0.5 * 0.3 = 0.25
        // delta0 = 0 + 0.6 - 0.5 = 0.1; A0 = 0.1 + 0.5 * 0.25 = 0.225
        var (adv, ret) = Advantages.Gae(T(new double[,] { { 0, 0, 1, 9 } }), T(new double[,] { { 0.5, 0.6, 0.7, 9 } }),
            T(new double[,] { { 1, 1, 1, 0 } }), 1.0, 0.5);
        Assert.That(Flat(adv), Is.EqualTo(new[] { 0.225, 0.25, 0.3, 0 }).Within(1e-12));
        Assert.That(Flat(ret), Is.EqualTo(new[] { 0.725, 0.85, 1.0, 0 }).Within(1e-12));
    }

    [Test]
    public void GaeIgnoresWhatSitsAtMaskedPositions()
    {
        var mask = new double[,] { { 1, 0, 1, 1, 0 }, { 1, 1, 1, 0, 0 } };
        var r1 = new double[,] { { 0.1, 0.2, 0.3, 1, 0 }, { 0, 0, 1, 0, 0 } };
        var v1 = new double[,] { { 0.5, 0.4, 0.3, 0.2, 0.1 }, { 0.2, 0.3, 0.4, 0.5, 0.6 } };
        var r2 = (double[,])r1.Clone();
        var v2 = (double[,])v1.Clone();
        r2[0, 1] = 7; v2[0, 1] = -3; r2[0, 4] = 5; v2[1, 3] = 11; r2[1, 4] = -2;
        var (a1, ret1) = Advantages.Gae(T(r1), T(v1), T(mask), 0.9, 0.8);
        var (a2, ret2) = Advantages.Gae(T(r2), T(v2), T(mask), 0.9, 0.8);
        Assert.That(Flat(a2), Is.EqualTo(Flat(a1)).Within(1e-12));
        Assert.That(Flat(ret2), Is.EqualTo(Flat(ret1)).Within(1e-12));
    }

    private static (double[,] x, double[,] m) Random2D(Random rng, int b, int t, double scale = 1.0, bool mask = false)
    {
        var x = new double[b, t];
        var m = new double[b, t];
        for (int i = 0; i < b; i++)
        {
            int len = rng.Next(1, t + 1);
            for (int j = 0; j < t; j++)
            {
                x[i, j] = (rng.NextDouble() * 2 - 1) * scale;
                m[i, j] = j < len ? 1 : 0;
            }
        }
        return (x, m);
    }

    [TestCase(3, 7, 1.0, 0.95)]
    [TestCase(8, 16, 0.99, 0.9)]
    [TestCase(1, 1, 1.0, 1.0)]
    public void GaeEqualsThePlainReferenceOnRandomInputs(int b, int t, double gamma, double lam)
    {
        var rng = new Random(b * 100 + t);
        var (r, mask) = Random2D(rng, b, t);
        var (v, _) = Random2D(rng, b, t);
        var (adv, ret) = Advantages.Gae(T(r), T(v), T(mask), gamma, lam);
        var (refAdv, refRet) = Reference.Gae(r, v, mask, gamma, lam);
        Assert.That(Flat(adv), Is.EqualTo(Flat(refAdv)).Within(1e-10));
        Assert.That(Flat(ret), Is.EqualTo(Flat(refRet)).Within(1e-10));
        var (adv32, _) = Advantages.Gae(T(r).to(ScalarType.Float32), T(v).to(ScalarType.Float32), T(mask), gamma, lam);
        Assert.That(adv32.dtype, Is.EqualTo(ScalarType.Float32));
        Assert.That(Flat(adv32), Is.EqualTo(Flat(refAdv)).Within(1e-5));
    }

    [TestCase(0.2, 0.2, 3.0)]
    [TestCase(0.2, 0.28, null)]
    [TestCase(0.1, 0.3, 2.0)]
    public void ClippedSurrogateEqualsThePlainReference(double lo, double hi, double? dual)
    {
        var rng = new Random(17);
        var (lp, mask) = Random2D(rng, 6, 9, 0.6);
        var (old, _) = Random2D(rng, 6, 9, 0.6);
        var (adv, _) = Random2D(rng, 6, 9, 2.0);
        var weights = Enumerable.Range(0, 6).Select(_ => rng.NextDouble() * 2).ToArray();
        foreach (var w in new[] { null, weights })
        {
            var result = PolicyLoss.ClippedSurrogate(T(lp), T(old), T(adv), T(mask), lo, hi, dual,
                weights: w is null ? null : tensor(w, ScalarType.Float64));
            double expected = Reference.PolicyLoss(lp, old, adv, mask, lo, hi, dual, w, out double clipFrac);
            Assert.That(result.Loss.item<double>(), Is.EqualTo(expected).Within(1e-10));
            Assert.That(result.ClipFraction.item<double>(), Is.EqualTo(clipFrac).Within(1e-10));
            Assert.That(result.ClipFraction.item<double>(), Is.GreaterThan(0), "the inputs are wide enough to clip");
        }
    }

    [Test]
    public void ClippedSurrogateMatchesAHandComputedToken()
    {
        // ratio = e^0.5 = 1.6487, A = 2: unclipped -3.2974, clipped -2.4 -> max = -2.4 (clipped).
        // ratio = e^-1 = 0.3679, A = -1: unclipped 0.3679, clipped 0.8 -> 0.8; dual cap 3 -> 0.8.
        var lp = T(new double[,] { { 0.5, -1.0 } });
        var old = T(new double[,] { { 0.0, 0.0 } });
        var adv = T(new double[,] { { 2.0, -1.0 } });
        var r = PolicyLoss.ClippedSurrogate(lp, old, adv, ones(1, 2, ScalarType.Float64));
        Assert.That(r.Loss.item<double>(), Is.EqualTo((-2.4 + 0.8) / 2).Within(1e-12));
        Assert.That(r.ClipFraction.item<double>(), Is.EqualTo(1.0));
        // Dual clip: ratio e^2 = 7.389, A = -1: clipped max = 7.389 > c = 3, so the loss is capped at 3.
        var d = PolicyLoss.ClippedSurrogate(T(new double[,] { { 2.0 } }), T(new double[,] { { 0.0 } }), T(new double[,] { { -1.0 } }), ones(1, 1, ScalarType.Float64));
        Assert.That(d.Loss.item<double>(), Is.EqualTo(3.0).Within(1e-12));
        Assert.That(d.DualClipFraction.item<double>(), Is.EqualTo(1.0));
    }

    [Test]
    public void AtRatioOneClippingDoesNothingAndTheLossIsMinusTheMeanAdvantage()
    {
        var rng = new Random(3);
        var (lp, mask) = Random2D(rng, 5, 8);
        var (adv, _) = Random2D(rng, 5, 8, 3.0);
        var r = PolicyLoss.ClippedSurrogate(T(lp), T(lp), T(adv), T(mask));
        var (meanAdv, _) = Reference.MaskedMoments(adv, mask);
        Assert.That(r.Loss.item<double>(), Is.EqualTo(-meanAdv).Within(1e-12));
        Assert.That(r.ClipFraction.item<double>(), Is.EqualTo(0));
        Assert.That(r.ApproxKl.item<double>(), Is.EqualTo(0).Within(1e-15));
    }

    [Test]
    public void WeightsOfOneGiveExactlyTheUnweightedLossInEveryAggregation()
    {
        var rng = new Random(5);
        var (lp, mask) = Random2D(rng, 4, 6, 0.5);
        var (old, _) = Random2D(rng, 4, 6, 0.5);
        var (adv, _) = Random2D(rng, 4, 6);
        foreach (LossAggregation mode in Enum.GetValues<LossAggregation>())
        {
            var plain = PolicyLoss.ClippedSurrogate(T(lp), T(old), T(adv), T(mask), aggregation: mode).Loss.item<double>();
            var weighted = PolicyLoss.ClippedSurrogate(T(lp), T(old), T(adv), T(mask), aggregation: mode, weights: ones(4, ScalarType.Float64)).Loss.item<double>();
            Assert.That(weighted, Is.EqualTo(plain), mode.ToString());
        }
    }

    [Test]
    public void LossAggregationModesMatchTheirDefinitions()
    {
        var losses = T(new double[,] { { 1, 2, 3, 100 }, { 4, 5, 100, 100 } });
        Assert.That(LossAggregator.Aggregate(losses, T(Mask2x4), LossAggregation.TokenMean).item<double>(), Is.EqualTo(15.0 / 5));
        Assert.That(LossAggregator.Aggregate(losses, T(Mask2x4), LossAggregation.SequenceMeanTokenMean).item<double>(), Is.EqualTo((2.0 + 4.5) / 2));
        Assert.That(LossAggregator.Aggregate(losses, T(Mask2x4), LossAggregation.SequenceMeanTokenSum).item<double>(), Is.EqualTo((6.0 + 9.0) / 2));
    }

    [Test]
    public void ClippedValueLossEqualsThePlainReference()
    {
        var rng = new Random(8);
        var (v, mask) = Random2D(rng, 5, 7, 2);
        var (old, _) = Random2D(rng, 5, 7, 2);
        var (ret, _) = Random2D(rng, 5, 7, 2);
        var (loss, frac) = ValueLoss.Clipped(T(v), T(old), T(ret), T(mask), 0.2);
        Assert.That(loss.item<double>(), Is.EqualTo(Reference.ValueLoss(v, old, ret, mask, 0.2)).Within(1e-10));
        Assert.That(frac.item<double>(), Is.InRange(0.0, 1.0));
        // Hand case: v = 1, old = 0, R = 2, c = 0.2: unclipped (1-2)^2 = 1, clipped (0.2-2)^2 = 3.24 -> 0.5 * 3.24.
        var (hand, handFrac) = ValueLoss.Clipped(T(new double[,] { { 1 } }), T(new double[,] { { 0 } }), T(new double[,] { { 2 } }), ones(1, 1, ScalarType.Float64), 0.2);
        Assert.That(hand.item<double>(), Is.EqualTo(1.62).Within(1e-12));
        Assert.That(handFrac.item<double>(), Is.EqualTo(1.0));
    }

    [TestCase(KlEstimator.K1)]
    [TestCase(KlEstimator.K2)]
    [TestCase(KlEstimator.K3)]
    [TestCase(KlEstimator.Abs)]
    public void KlEstimatorsEqualTheirFormulas(KlEstimator kind)
    {
        var rng = new Random(11);
        var (lp, _) = Random2D(rng, 4, 5, 3);
        var (rf, _) = Random2D(rng, 4, 5, 3);
        lp[0, 0] = 0; rf[0, 0] = 40; // k3 clamps the log-ratio at 20 and the result at 10
        var kl = Flat(KlEstimators.Compute(T(lp), T(rf), kind));
        var expected = Flat(lp).Zip(Flat(rf)).Select(p => Reference.Kl(p.First, p.Second, kind.ToString())).ToArray();
        Assert.That(kl, Is.EqualTo(expected).Within(1e-10));
        if (kind is KlEstimator.K2 or KlEstimator.K3 or KlEstimator.Abs) Assert.That(kl, Has.All.GreaterThanOrEqualTo(0));
        if (kind == KlEstimator.K3) Assert.That(kl[0], Is.EqualTo(10));
    }

    [Test]
    public void TheKlPenaltyIsFoldedIntoRewardsWithTheScoreOnTheLastToken()
    {
        var lp = T(new double[,] { { -1.0, -2.0, -0.5, 0 }, { -1.0, -1.0, 0, 0 } });
        var rf = T(new double[,] { { -1.5, -1.0, -0.5, 0 }, { -2.0, -1.0, 0, 0 } });
        var (rewards, kl) = RewardShaping.FoldKlIntoRewards(tensor(new[] { 1.0, -0.5 }), lp, rf, T(Mask2x4), 0.1, KlEstimator.K1);
        Assert.That(Flat(kl), Is.EqualTo(new[] { 0.5, -1.0, 0, 0, 1.0, 0, 0, 0 }).Within(1e-12));
        Assert.That(Flat(rewards), Is.EqualTo(new[] { -0.05, 0.1, 1.0, 0, -0.1, -0.5, 0, 0 }).Within(1e-12));
    }

    [Test]
    public void WhitenedValuesHaveMeanZeroAndStdOneOnTheMask()
    {
        var rng = new Random(12);
        var (x, mask) = Random2D(rng, 6, 10, 5);
        var w = MaskedStats.MaskedWhiten(T(x), T(mask));
        var (mean, var) = Reference.MaskedMoments(Unflat(Flat(w), 6, 10), mask);
        Assert.That(mean, Is.EqualTo(0).Within(1e-10));
        Assert.That(var, Is.EqualTo(1).Within(1e-6));
        Assert.That(Flat(w).Zip(Flat(mask)).Where(p => p.Second == 0).Select(p => p.First), Has.All.EqualTo(0));
        var (refMean, refVar) = Reference.MaskedMoments(x, mask);
        Assert.That(MaskedStats.MaskedMean(T(x), T(mask)).item<double>(), Is.EqualTo(refMean).Within(1e-12));
        Assert.That(MaskedStats.MaskedVariance(T(x), T(mask)).item<double>(), Is.EqualTo(refVar).Within(1e-12));
    }

    private static double[,] Unflat(double[] v, int b, int t)
    {
        var x = new double[b, t];
        for (int i = 0; i < b; i++) for (int j = 0; j < t; j++) x[i, j] = v[i * t + j];
        return x;
    }

    [Test]
    public void AnEmptyMaskIsAClearError()
    {
        var error = Assert.Throws<InvalidOperationException>(() => MaskedStats.MaskedMean(ones(2, 3), zeros(2, 3)))!;
        Assert.That(error.Message, Does.Contain("empty"));
        Assert.Throws<InvalidOperationException>(() => MaskedStats.MaskedWhiten(ones(2, 3), zeros(2, 3)));
    }

    [Test]
    public void MismatchedShapesAreNamed()
    {
        var error = Assert.Throws<ArgumentException>(() => Advantages.Gae(ones(2, 3), ones(2, 4), ones(2, 3), 1, 1))!;
        Assert.That(error.Message, Does.Contain("values").And.Contain("[2, 4]"));
    }

    [Test]
    public void ExplainedVarianceIsOneForAPerfectCriticAndZeroForTheMean()
    {
        var ret = T(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        var mask = ones(2, 3, ScalarType.Float64);
        Assert.That(PpoDiagnostics.ExplainedVariance(ret, ret, mask), Is.EqualTo(1.0).Within(1e-12));
        Assert.That(PpoDiagnostics.ExplainedVariance(full(2, 3, 3.5, ScalarType.Float64), ret, mask), Is.EqualTo(0.0).Within(1e-12));
        Assert.That(PpoDiagnostics.ExplainedVariance(ret, ones(2, 3, ScalarType.Float64), mask), Is.NaN);
    }

    [Test]
    public void TheAdaptiveControllerRaisesBetaAboveTargetAndLowersItBelow()
    {
        var up = new AdaptiveKlController(0.1, target: 1.0, horizon: 100);
        up.Update(currentKl: 5.0, steps: 10); // error clipped to 0.2: beta * (1 + 0.2 * 10 / 100)
        Assert.That(up.Value, Is.EqualTo(0.1 * 1.02).Within(1e-15));
        var down = new AdaptiveKlController(0.1, target: 1.0, horizon: 100);
        down.Update(currentKl: 0.9, steps: 10); // error -0.1
        Assert.That(down.Value, Is.EqualTo(0.1 * 0.99).Within(1e-15));
        var fixedBeta = new FixedKlController(0.05);
        fixedBeta.Update(100, 100);
        Assert.That(fixedBeta.Value, Is.EqualTo(0.05));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveKlController(0.1, target: 0, horizon: 10));
    }

    [Test]
    public void EntropyOfAUniformDistributionIsLogVocab()
    {
        var h = PpoDiagnostics.EntropyFromLogits(zeros(2, 3, 8, ScalarType.Float64));
        Assert.That(Flat(h), Has.All.EqualTo(Math.Log(8)).Within(1e-12));
    }
}
