using Ippo.MLNet.Core.Algorithms;
using Ippo.MLNet.Core.Ppo;
using NUnit.Framework;
using static Ippo.MLNet.Tests.Algorithms.AlgorithmTestData;

namespace Ippo.MLNet.Tests.Algorithms;

public class LossAggregationTests
{
    // Row sums 1 + 2 + 3 = 6 (3 tokens) and 4 + 5 = 9 (2 tokens); the 100s sit on padding.
    private static readonly double[,] Losses = { { 1, 2, 3, 100 }, { 4, 5, 100, 100 } };
    private static readonly double[,] Mask = { { 1, 1, 1, 0 }, { 1, 1, 0, 0 } };

    private static double Aggregate(LossAggregation mode, double? denominator = null) =>
        LossAggregator.Aggregate(T(Losses), T(Mask), mode, denominator).item<double>();

    [Test]
    public void SequenceMeanTokenSumNormDividesByBatchTimesLength()
    {
        // Default: the padded width, 15 / (2 x 4); with Dr. GRPO's constant 2 episodes x MaxNewTokens 10: 15 / 20.
        Assert.That(Aggregate(LossAggregation.SequenceMeanTokenSumNorm), Is.EqualTo(15.0 / 8));
        Assert.That(Aggregate(LossAggregation.SequenceMeanTokenSumNorm, 20), Is.EqualTo(0.75));
    }

    [Test]
    public void AGivenDenominatorReplacesWhatEachModeDividesBy()
    {
        // A step accumulated over chunks divides by the whole step's count: 10 tokens (DAPO), or 4 sequences.
        Assert.That(Aggregate(LossAggregation.TokenMean, 10), Is.EqualTo(15.0 / 10));
        Assert.That(Aggregate(LossAggregation.SequenceMeanTokenMean, 4), Is.EqualTo((6.0 / 3 + 9.0 / 2) / 4));
        Assert.That(Aggregate(LossAggregation.SequenceMeanTokenSum, 4), Is.EqualTo(15.0 / 4));
        Assert.That(() => Aggregate(LossAggregation.TokenMean, 0), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contain("denominator"));
    }

    [Test]
    public void TwoChunksWithTheStepDenominatorAddUpToTheWholeBatch()
    {
        // DAPO: each row as its own chunk, both divided by the step's 5 tokens, sum to the token mean of the batch.
        var first = LossAggregator.Aggregate(T(new double[,] { { 1, 2, 3, 100 } }), T(new double[,] { { 1, 1, 1, 0 } }), LossAggregation.TokenMean, 5);
        var second = LossAggregator.Aggregate(T(new double[,] { { 4, 5, 100, 100 } }), T(new double[,] { { 1, 1, 0, 0 } }), LossAggregation.TokenMean, 5);
        Assert.That(first.item<double>() + second.item<double>(), Is.EqualTo(Aggregate(LossAggregation.TokenMean)).Within(1e-15));
    }

    [Test]
    public void SequenceCoefficientsMatchHandValues()
    {
        // Token mean: 1/5 each; seq-mean-token-mean: 1 / (3 x 2), 1 / (2 x 2); seq-mean-token-sum: 1/2; sum-norm: 1/8.
        Assert.That(Flat(LossAggregator.SequenceCoefficients(T(Mask), LossAggregation.TokenMean)), Is.EqualTo(new[] { 0.2, 0.2 }).Within(1e-15));
        Assert.That(Flat(LossAggregator.SequenceCoefficients(T(Mask), LossAggregation.SequenceMeanTokenMean)), Is.EqualTo(new[] { 1.0 / 6, 0.25 }).Within(1e-15));
        Assert.That(Flat(LossAggregator.SequenceCoefficients(T(Mask), LossAggregation.SequenceMeanTokenSum)), Is.EqualTo(new[] { 0.5, 0.5 }).Within(1e-15));
        Assert.That(Flat(LossAggregator.SequenceCoefficients(T(Mask), LossAggregation.SequenceMeanTokenSumNorm, 20)), Is.EqualTo(new[] { 0.05, 0.05 }).Within(1e-15));
    }

    [Test]
    public void SequenceCoefficientsTimesRowSumsGiveTheAggregate()
    {
        // Random losses and ragged masks; the two routes sum the same terms in another order (float64: ~1e-15).
        var rng = new Random(12);
        var losses = new double[6, 5];
        var mask = new double[6, 5];
        for (int i = 0; i < 6; i++)
        {
            int length = rng.Next(1, 6);
            for (int j = 0; j < 5; j++) { losses[i, j] = rng.NextDouble() * 2 - 1; mask[i, j] = j < length ? 1 : 0; }
        }
        var rowSums = (T(losses) * T(mask)).sum(dim: 1);
        foreach (LossAggregation mode in Enum.GetValues<LossAggregation>())
            foreach (double? denominator in new double?[] { null, 37 })
            {
                var viaCoefficients = (LossAggregator.SequenceCoefficients(T(mask), mode, denominator) * rowSums).sum().item<double>();
                var direct = LossAggregator.Aggregate(T(losses), T(mask), mode, denominator).item<double>();
                Assert.That(viaCoefficients, Is.EqualTo(direct).Within(1e-12), $"{mode}, {denominator}");
            }
    }

    [TestCase("token-mean", LossAggregation.TokenMean)]
    [TestCase("seq-mean-token-mean", LossAggregation.SequenceMeanTokenMean)]
    [TestCase("seq-mean-token-sum", LossAggregation.SequenceMeanTokenSum)]
    [TestCase("seq-mean-token-sum-norm", LossAggregation.SequenceMeanTokenSumNorm)]
    [TestCase("grpo", LossAggregation.SequenceMeanTokenMean)]
    [TestCase("bnpo", LossAggregation.TokenMean)]
    [TestCase("dr_grpo", LossAggregation.SequenceMeanTokenSumNorm)]
    [TestCase("dapo", LossAggregation.TokenMean)]
    public void NamesParseToTheirModes(string name, LossAggregation mode) =>
        Assert.That(LossAggregationNames.Parse(name), Is.EqualTo(mode));

    [Test]
    public void EveryModeHasANameThatParsesBackAndUnknownNamesAreListed()
    {
        foreach (LossAggregation mode in Enum.GetValues<LossAggregation>())
            Assert.That(LossAggregationNames.Parse(LossAggregationNames.Name(mode)), Is.EqualTo(mode));
        Assert.That(() => LossAggregationNames.Parse("token_mean"),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contain("'token_mean'").And.Message.Contain("dr_grpo"));
    }
    [TestCase(LossAggregation.TokenMean)]
    [TestCase(LossAggregation.SequenceMeanTokenMean)]
    [TestCase(LossAggregation.SequenceMeanTokenSum)]
    public void SequenceCoefficientsAgreeWithTheInfluenceEpisodeLosses(LossAggregation mode)
    {
        // sum_i EpisodeLoss.Coefficients_i x EpisodeLoss_i and sum_i SequenceCoefficients_i x token sum_i are both the
        // batch loss of PolicyLoss.ClippedSurrogate; they differ by float64 rounding only.
        var rng = new Random(21);
        double[,] Uniform(double scale) { var x = new double[4, 5]; for (int i = 0; i < 4; i++) for (int j = 0; j < 5; j++) x[i, j] = (rng.NextDouble() * 2 - 1) * scale; return x; }
        var lp = T(Uniform(0.3)); var old = T(Uniform(0.3)); var adv = T(Uniform(1));
        var mask = T(new double[,] { { 1, 1, 1, 1, 1 }, { 1, 1, 0, 0, 0 }, { 1, 0, 0, 0, 0 }, { 1, 1, 1, 0, 0 } });
        var settings = new Ippo.MLNet.Core.Influence.EpisodeLossSettings(0.2, 0.28, 3.0, mode);
        var episodes = Ippo.MLNet.Core.Influence.EpisodeLoss.Compute(lp, old, adv, mask, settings);
        var viaInfluence = (Ippo.MLNet.Core.Influence.EpisodeLoss.Coefficients(mask, null, mode) * episodes).sum().item<double>();
        var tokenSums = (PolicyLoss.PerToken(lp, old, adv, 0.2, 0.28, 3.0) * mask).sum(dim: 1);
        var viaCoefficients = (LossAggregator.SequenceCoefficients(mask, mode) * tokenSums).sum().item<double>();
        Assert.That(viaCoefficients, Is.EqualTo(viaInfluence).Within(1e-12));
    }
}
