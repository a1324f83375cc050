using Ippo.MLNet.Core.Algorithms;
using Ippo.MLNet.Core.Influence;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Tests.Models;
using NUnit.Framework;
using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Tests.Influence;

/// <summary>I-GRPO: influence scores of each episode's GRPO loss (clip-higher surrogate, no dual clip, + beta k3).</summary>
public class GrpoInfluenceTests
{
    // Reference log-probs away from the model's own, so the k3 term and its gradient are not zero.
    private static EpisodeBatch WithReference(EpisodeBatch episodes, long seed)
    {
        var generator = new Generator((ulong)seed);
        var mask = episodes.ResponseMask.to(episodes.OldLogProbs.dtype);
        var reference = (episodes.OldLogProbs + 0.5 * randn(episodes.OldLogProbs.shape, dtype: episodes.OldLogProbs.dtype, generator: generator)) * mask;
        return episodes with { RefLogProbs = reference };
    }

    [TestCase(LossAggregation.TokenMean)]
    [TestCase(LossAggregation.SequenceMeanTokenMean)]
    [TestCase(LossAggregation.SequenceMeanTokenSum)]
    [TestCase(LossAggregation.SequenceMeanTokenSumNorm)]
    public void FastScoresEqualPerEpisodeGradientsOfTheGrpoLossWithAKlTermInFloat64(LossAggregation aggregation)
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Model(seed: 12, tied: true);
        model.to(ScalarType.Float64);
        var episodes = WithReference(InfluenceFixtures.Episodes(model, ScalarType.Float64, seed: 5), seed: 6);
        using var validation = InfluenceFixtures.ValidationGradientOf(model);
        var settings = new EpisodeLossSettings(0.2, 0.28, DualClip: null, aggregation, KlLossCoefficient: 0.3, MaxNewTokens: 8);
        var withoutKl = settings with { KlLossCoefficient = 0 };

        var fast = InfluenceScoring.Fast(model, episodes, validation, settings);
        var naive = InfluenceScoring.Naive(model, episodes, validation, settings);
        var naiveWithoutKl = InfluenceScoring.Naive(model, episodes, validation, withoutKl);

        // Both routes sum the same float64 products in different orders: agreement to ~1e-12, bounded at 1e-9.
        Assert.That(InfluenceFixtures.MaxRelativeError(fast, naive), Is.LessThanOrEqualTo(1e-9));
        Assert.That(InfluenceFixtures.MaxRelativeError(naive, naiveWithoutKl), Is.GreaterThan(1e-3), "the KL term changes the scores");
    }

    [Test]
    public void AKlLossTermWithoutReferenceLogProbsIsRejectedNamingThem()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Model(seed: 12);
        var episodes = InfluenceFixtures.Episodes(model, ScalarType.Float32);
        using var validation = InfluenceFixtures.ValidationGradientOf(model);
        var settings = new EpisodeLossSettings(DualClip: null, KlLossCoefficient: 0.1);
        Assert.That(() => InfluenceScoring.Fast(model, episodes, validation, settings),
            Throws.InstanceOf<ArgumentNullException>().With.Message.Contain("refLogProbs"));
    }

    [TestCase(LossAggregation.TokenMean, null)]
    [TestCase(LossAggregation.SequenceMeanTokenMean, null)]
    [TestCase(LossAggregation.SequenceMeanTokenSumNorm, null)]
    [TestCase(LossAggregation.SequenceMeanTokenSumNorm, 3.0)]
    public void WeightedEpisodeLossesAddUpToTheTrainersMinibatchLoss(LossAggregation aggregation, double? dualClip)
    {
        // The trainer's loss: ClippedSurrogate + beta x aggregate(k3 x w), dr_grpo dividing by batch x MaxNewTokens.
        var rng = new Random(31);
        Tensor Uniform(double scale) => tensor(Enumerable.Range(0, 20).Select(_ => (rng.NextDouble() * 2 - 1) * scale).ToArray()).reshape(4, 5);
        var lp = Uniform(0.3); var old = Uniform(0.3); var adv = Uniform(1); var reference = Uniform(0.5);
        var mask = tensor(new double[] { 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0 }).reshape(4, 5);
        var weights = tensor(new[] { 0.5, 2.0, 1.0, 1.5 });
        const int maxNewTokens = 8;
        const double beta = 0.2;
        var settings = new EpisodeLossSettings(0.2, 0.28, dualClip, aggregation, KlLossCoefficient: beta, MaxNewTokens: maxNewTokens);

        var episodes = EpisodeLoss.Compute(lp, old, adv, mask, settings, reference);
        double viaEpisodes = (EpisodeLoss.Coefficients(mask, weights, aggregation) * episodes).sum().item<double>();

        double? denominator = aggregation == LossAggregation.SequenceMeanTokenSumNorm ? 4.0 * maxNewTokens : null;
        var surrogate = PolicyLoss.ClippedSurrogate(lp, old, adv, mask, 0.2, 0.28, dualClip, aggregation, weights, denominator).Loss;
        var k3 = KlEstimators.Compute(lp, reference, KlEstimator.K3) * weights.unsqueeze(1);
        var trainerLoss = (surrogate + beta * LossAggregator.Aggregate(k3, mask, aggregation, denominator)).item<double>();
        // Same float64 terms summed in another order.
        Assert.That(viaEpisodes, Is.EqualTo(trainerLoss).Within(1e-12));
    }

    [Test]
    public void SeqMeanTokenSumNormEpisodeLossIsTheTokenSumOverMaxNewTokensNotATokenMean()
    {
        var lp = tensor(new[] { -0.5, -0.2, -0.1, 0.0 }).reshape(1, 4);
        var old = lp.clone();
        var adv = tensor(new[] { 1.0, 1.0, 1.0, 0.0 }).reshape(1, 4);
        var mask = tensor(new[] { 1.0, 1.0, 1.0, 0.0 }).reshape(1, 4);
        var settings = new EpisodeLossSettings(Aggregation: LossAggregation.SequenceMeanTokenSumNorm, MaxNewTokens: 10);
        // At ratio 1 each token's loss is -A = -1: three tokens over a budget of 10 tokens.
        Assert.That(EpisodeLoss.Compute(lp, old, adv, mask, settings).item<double>(), Is.EqualTo(-0.3).Within(1e-15));
    }
}
