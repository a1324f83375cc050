using Ippo.MLNet.Core.Algorithms;
using Ippo.MLNet.Core.Ppo;
using NUnit.Framework;
using static Ippo.MLNet.Tests.Algorithms.AlgorithmTestData;
using static TorchSharp.torch;

namespace Ippo.MLNet.Tests.Algorithms;

public class GrpoLossTermsTests
{
    private static readonly double Ln2 = Math.Log(2);

    [Test]
    public void KlLossIsBetaTimesTheAggregatedK3WithItsHandGradient()
    {
        // ref = 0, log p = [ln2, 0, -ln2]: d = lp - ref, k3 = exp(-d) + d - 1 = [.5 + ln2 - 1, 0, 2 - ln2 - 1];
        // token mean = (ln2 - .5 + 1 - ln2) / 3 = 1/6; beta .1 -> 1/60. d k3 / d lp = 1 - exp(-d) = [.5, 0, -1], times beta / 3.
        var logProbs = T(new double[,] { { Ln2, 0, -Ln2 } }).requires_grad_();
        var result = KlLoss.Compute(logProbs, zeros(1, 3, dtype: ScalarType.Float64), ones(1, 3, dtype: ScalarType.Float64), beta: 0.1);
        Assert.That(result.Loss.item<double>(), Is.EqualTo(1.0 / 60).Within(1e-15));
        Assert.That(result.MeanKl.item<double>(), Is.EqualTo(1.0 / 6).Within(1e-15));
        result.Loss.backward();
        Assert.That(Flat(logProbs.grad!), Is.EqualTo(new[] { 0.5 * 0.1 / 3, 0, -1 * 0.1 / 3 }).Within(1e-15));
    }

    [Test]
    public void KlLossClampsAnImpossibleTokenAndPassesItNoGradient()
    {
        // lp = -30 under ref 0: ref - lp = 30 is clamped to 20, exp(20) - 21 > 10 is clamped to 10. The second row's
        // token is masked out, so the token mean is 10 / 1 and the gradient is 0 everywhere.
        var logProbs = T(new double[,] { { -30 }, { 5 } }).requires_grad_();
        var result = KlLoss.Compute(logProbs, zeros(2, 1, dtype: ScalarType.Float64), T(new double[,] { { 1 }, { 0 } }), beta: 1);
        Assert.That(result.Loss.item<double>(), Is.EqualTo(10));
        result.Loss.backward();
        Assert.That(Flat(logProbs.grad!), Is.EqualTo(new double[] { 0, 0 }));
    }

    [Test]
    public void KlLossFollowsTheAggregationAndBetaZeroIsZero()
    {
        // Same k3 row twice, second row masked after its first token: row sums (1/2) and (ln2 - .5); Dr. GRPO's
        // constant denominator 2 rows x 5 tokens = 10.
        var logProbs = T(new double[,] { { Ln2, 0, -Ln2 }, { Ln2, 0, -Ln2 } });
        var mask = T(new double[,] { { 1, 1, 1 }, { 1, 0, 0 } });
        var refs = zeros(2, 3, dtype: ScalarType.Float64);
        var norm = KlLoss.Compute(logProbs, refs, mask, beta: 1, LossAggregation.SequenceMeanTokenSumNorm, denominator: 10);
        Assert.That(norm.Loss.item<double>(), Is.EqualTo((0.5 + Ln2 - 0.5) / 10).Within(1e-15));
        Assert.That(KlLoss.Compute(logProbs, refs, mask, beta: 0).Loss.item<double>(), Is.EqualTo(0));
        Assert.That(() => KlLoss.Compute(logProbs, refs, mask, beta: -1), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contain("beta"));
    }

    // Ratios (old log-prob 0, log p = ln r) and advantages; the third token of row 1 and its last are masked.
    private static readonly double[,] Ratios = { { 0.7, 0.7, 1.3, 1.25 }, { 1.3, 1.0, 0.1, 1 } };
    private static readonly double[,] Advantages = { { -1, 1, 1, 1 }, { -1, 0, -1, 1 } };
    private static readonly double[,] ClipMask = { { 1, 1, 1, 1 }, { 1, 1, 0, 0 } };

    private static Tensor LogRatios() => T(Ratios).log();

    [Test]
    public void ClipRatiosCountEachActiveBound()
    {
        // epsilon_low .2, epsilon_high .28 over 6 masked tokens: low = (.7 < .8, A < 0) once; high = (1.3 > 1.28, A > 0)
        // once; .7 with A > 0, 1.25 (inside the wider upper bound), 1.3 with A < 0 and A = 0 are not clipped.
        var result = ClipRatios.Compute(LogRatios(), zeros(2, 4, dtype: ScalarType.Float64), T(Advantages), T(ClipMask), 0.2, 0.28);
        Assert.That(result.Low.item<double>(), Is.EqualTo(1.0 / 6).Within(1e-15));
        Assert.That(result.High.item<double>(), Is.EqualTo(1.0 / 6).Within(1e-15));
        Assert.That(result.Region.item<double>(), Is.EqualTo(2.0 / 6).Within(1e-15));
    }

    [Test]
    public void ClipHigherSurrogateMatchesHandValuesAndItsClipFractionIsTheRegion()
    {
        // Per token max(-A r, -A clip(r, .8, 1.28)): (.7, -1) .8; (.7, 1) -.7; (1.3, 1) -1.28; (1.25, 1) -1.25;
        // (1.3, -1) 1.3; (1, 0) 0. Token mean (.8 - .7 - 1.28 - 1.25 + 1.3) / 6 = -1.13 / 6. Tolerance: exp(log r)
        // returns r to a few ulps.
        var result = PolicyLoss.ClippedSurrogate(LogRatios(), zeros(2, 4, dtype: ScalarType.Float64), T(Advantages), T(ClipMask),
            clipLow: 0.2, clipHigh: 0.28, dualClip: null);
        Assert.That(result.Loss.item<double>(), Is.EqualTo(-1.13 / 6).Within(1e-12));
        var ratios = ClipRatios.Compute(LogRatios(), zeros(2, 4, dtype: ScalarType.Float64), T(Advantages), T(ClipMask), 0.2, 0.28);
        Assert.That(result.ClipFraction.item<double>(), Is.EqualTo(ratios.Region.item<double>()));
    }

    [Test]
    public void ClipRangesOutOfRangeAreNamed()
    {
        var x = zeros(1, 1, dtype: ScalarType.Float64);
        var m = ones(1, 1, dtype: ScalarType.Float64);
        Assert.That(() => ClipRatios.Compute(x, x, x, m, 1.0, 0.28), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contain("epsilon_low"));
        Assert.That(() => ClipRatios.Compute(x, x, x, m, 0.2, 0), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contain("epsilon_high"));
    }
    [Test]
    public void GrpoPerTokenLossAtTheRolloutPolicyMatchesHandValues()
    {
        // r = 1 (lp = old): surrogate -A = -.5; d = lp - ref = ln2 gives k3 = ln2 - .5, times beta .1.
        // Gradient: -A r + beta (1 - exp(-d)) = -.5 + .1 x .5 = -.45.
        var logProbs = T(new double[,] { { -1 } }).requires_grad_();
        var old = T(new double[,] { { -1 } });
        var refs = T(new double[,] { { -1 - Ln2 } });
        var losses = GrpoLoss.PerToken(logProbs, old, T(new double[,] { { 0.5 } }), refs, 0.2, 0.28, beta: 0.1);
        Assert.That(losses.item<double>(), Is.EqualTo(-0.5 + 0.1 * (Ln2 - 0.5)).Within(1e-15));
        losses.sum().backward();
        Assert.That(logProbs.grad!.item<double>(), Is.EqualTo(-0.45).Within(1e-15));
        Assert.That(() => GrpoLoss.PerToken(logProbs, old, old, null, 0.2, 0.28, beta: 0.1),
            Throws.InstanceOf<ArgumentNullException>().With.Message.Contain("refLogProbs"));
    }

    [Test]
    public void AggregatedGrpoPerTokenLossIsTheSurrogatePlusTheKlLoss()
    {
        // Every aggregation is linear, so aggregating the sum equals summing the aggregates (float64 rounding, 1e-12).
        var rng = new Random(5);
        double[,] Uniform(double scale) { var x = new double[3, 4]; for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) x[i, j] = (rng.NextDouble() * 2 - 1) * scale; return x; }
        var lp = T(Uniform(0.5)); var old = T(Uniform(0.5)); var refs = T(Uniform(0.5)); var adv = T(Uniform(2));
        var mask = T(new double[,] { { 1, 1, 1, 1 }, { 1, 1, 0, 0 }, { 1, 0, 0, 0 } });
        foreach (LossAggregation mode in Enum.GetValues<LossAggregation>())
        {
            var combined = LossAggregator.Aggregate(GrpoLoss.PerToken(lp, old, adv, refs, 0.2, 0.28, 0.04), mask, mode).item<double>();
            var surrogate = PolicyLoss.ClippedSurrogate(lp, old, adv, mask, 0.2, 0.28, dualClip: null, aggregation: mode).Loss.item<double>();
            var kl = KlLoss.Compute(lp, refs, mask, 0.04, mode).Loss.item<double>();
            Assert.That(combined, Is.EqualTo(surrogate + kl).Within(1e-12), mode.ToString());
        }
    }
}

