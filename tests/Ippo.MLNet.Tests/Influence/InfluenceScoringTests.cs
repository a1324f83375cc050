using Ippo.MLNet.Core.Influence;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Tests.Models;
using NUnit.Framework;
using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Tests.Influence;

public class InfluenceScoringTests
{
    private static readonly EpisodeLossSettings Settings = new(0.2, 0.28, 3.0, LossAggregation.TokenMean);

    [TestCase(true, InfluenceNormalization.Dot)]
    [TestCase(false, InfluenceNormalization.Dot)]
    [TestCase(true, InfluenceNormalization.Cosine)]
    [TestCase(false, InfluenceNormalization.Cosine)]
    public void FastScoresEqualPerEpisodeGradientsInFloat32(bool tied, InfluenceNormalization normalization)
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Model(seed: 11, tied: tied);
        var episodes = InfluenceFixtures.Episodes(model, ScalarType.Float32);
        using var validation = InfluenceFixtures.ValidationGradientOf(model);

        var fast = InfluenceScoring.Fast(model, episodes, validation, Settings, normalization);
        var naive = InfluenceScoring.Naive(model, episodes, validation, Settings, normalization);

        TestContext.Out.WriteLine($"fast  {string.Join(" ", fast.Select(s => s.ToString("E4")))}\nnaive {string.Join(" ", naive.Select(s => s.ToString("E4")))}");
        Assert.That(naive.Count(s => s > 0), Is.InRange(1, naive.Length - 1), "the fixture has helpful and harmful episodes");
        double error = InfluenceFixtures.MaxRelativeError(fast, naive);
        TestContext.Out.WriteLine($"max relative error {error:E2}");
        Assert.That(error, Is.LessThanOrEqualTo(1e-4));
    }

    [TestCase(LossAggregation.TokenMean)]
    [TestCase(LossAggregation.SequenceMeanTokenSum)]
    public void FastScoresEqualPerEpisodeGradientsInFloat64(LossAggregation aggregation)
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Model(seed: 12, tied: true);
        model.to(ScalarType.Float64);
        var episodes = InfluenceFixtures.Episodes(model, ScalarType.Float64, seed: 5);
        using var validation = InfluenceFixtures.ValidationGradientOf(model);
        var settings = Settings with { Aggregation = aggregation };

        var fast = InfluenceScoring.Fast(model, episodes, validation, settings);
        var naive = InfluenceScoring.Naive(model, episodes, validation, settings);
        var cosineFast = InfluenceScoring.Fast(model, episodes, validation, settings, InfluenceNormalization.Cosine);
        var cosineNaive = InfluenceScoring.Naive(model, episodes, validation, settings, InfluenceNormalization.Cosine);

        Assert.That(InfluenceFixtures.MaxRelativeError(fast, naive), Is.LessThanOrEqualTo(1e-9));
        Assert.That(InfluenceFixtures.MaxRelativeError(cosineFast, cosineNaive), Is.LessThanOrEqualTo(1e-9));
        Assert.That(cosineFast, Has.All.InRange(-1.0, 1.0));
    }

    [Test]
    public void ValidationGradientCoversEveryTrainableParameterAndLeavesGradFieldsAlone()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Model(tied: false);
        using var validation = InfluenceFixtures.ValidationGradientOf(model);
        var names = model.named_parameters().Select(p => p.name).ToList();
        Assert.That(validation.ByParameter.Keys, Is.EquivalentTo(names));
        Assert.That(model.parameters().Select(p => p.grad is null || p.grad.abs().sum().ToDouble() == 0), Has.All.True);
        Assert.That(validation.Norm, Is.GreaterThan(0));
    }

    [TestCase(new long[] { 0, 1, 2, 3, 4 })]
    [TestCase(new long[] { 4, 0, 2 })]
    public void AssembledWeightedGradientEqualsBackwardOfTheWeightedMinibatchLoss(long[] rows)
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Model(seed: 13, tied: true);
        model.to(ScalarType.Float64);
        var all = InfluenceFixtures.Episodes(model, ScalarType.Float64, seed: 8);
        var index = tensor(rows);
        var weights = tensor(new[] { 0.5, 0.0, 2.0, 1.0, 1.5 }).index_select(0, index);
        var minibatch = new EpisodeBatch(all.PromptTokens.index_select(0, index), all.PromptMask.index_select(0, index), all.ResponseTokens.index_select(0, index),
            all.ResponseMask.index_select(0, index), all.OldLogProbs.index_select(0, index), all.Advantages.index_select(0, index));

        using var pass = InfluenceScoring.Capture(model, all, Settings);
        var assembled = pass.Gradients.Assemble(index, EpisodeLoss.Coefficients(minibatch.ResponseMask, weights, Settings.Aggregation));

        var (logProbs, _) = Ippo.MLNet.Core.Generation.SequenceScoring.LogProbsAndEntropy(model, minibatch.PromptTokens, minibatch.PromptMask, minibatch.ResponseTokens, minibatch.ResponseMask);
        var loss = PolicyLoss.ClippedSurrogate(logProbs, minibatch.OldLogProbs, minibatch.Advantages, minibatch.ResponseMask,
            Settings.ClipRangeLow, Settings.ClipRangeHigh, Settings.DualClip, Settings.Aggregation, weights).Loss;
        var parameters = model.named_parameters().ToList();
        var grads = autograd.grad(new[] { loss }, parameters.Select(p => (Tensor)p.parameter).ToList());
        for (int i = 0; i < parameters.Count; i++)
        {
            double error = (assembled[parameters[i].name] - grads[i]).abs().max().ToDouble();
            double size = grads[i].abs().max().ToDouble();
            Assert.That(error, Is.LessThanOrEqualTo(1e-9 * Math.Max(size, 1e-12)), parameters[i].name);
        }
        foreach (var g in assembled.Values) g.Dispose();
    }

    [Test]
    public void ScoringFreesEverythingItAllocates()
    {
        using var model = TinyModels.Model(seed: 14);
        using var outer = NewDisposeScope();
        var episodes = InfluenceFixtures.Episodes(model, ScalarType.Float32);
        using var validation = InfluenceFixtures.ValidationGradientOf(model);
        InfluenceScoring.Fast(model, episodes, validation, Settings, InfluenceNormalization.Cosine);
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 3; i++) InfluenceScoring.Fast(model, episodes, validation, Settings, InfluenceNormalization.Cosine);
        Assert.That(DisposeScopeManager.Statistics.ThreadTotalLiveCount, Is.EqualTo(before));
    }
}
