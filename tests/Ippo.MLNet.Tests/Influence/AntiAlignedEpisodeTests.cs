using Ippo.MLNet.Core.Generation;
using Ippo.MLNet.Core.Influence;
using Ippo.MLNet.Core.Training;
using Ippo.MLNet.Tests.Models;
using NUnit.Framework;
using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Tests.Influence;

public class AntiAlignedEpisodeTests
{
    [Test]
    public void AnEpisodeWhoseGradientIsMinusTheValidationGradientScoresMinusItsSquaredNormAndIsDropped()
    {
        // At ratio 1 an episode replaying the gold trace with advantage A has g_i = A * g_val exactly (token-mean losses).
        using var scope = NewDisposeScope();
        using var model = TinyModels.Model(seed: 21);
        model.to(ScalarType.Float64);
        var gold = new TokenizedExample(new[] { 1, 3, 4 }, new[] { 5, 6, 2 });
        using var validation = InfluenceFixtures.ValidationGradientOf(model, new[] { gold });
        var (prompt, promptMask) = PromptBatch.LeftPad(new[] { gold.Prompt, gold.Prompt }, TinyModels.Pad, CPU);
        var (response, responseMask) = PromptBatch.RightPad(new[] { gold.Completion, gold.Completion }, TinyModels.Pad, CPU);
        Tensor old;
        using (no_grad()) old = SequenceScoring.LogProbsAndEntropy(model, prompt, promptMask, response, responseMask).LogProbs;
        var advantages = tensor(new double[,] { { 1, 1, 1 }, { -1, -1, -1 } });
        var episodes = new EpisodeBatch(prompt, promptMask, response, responseMask, old, advantages);

        var dot = InfluenceScoring.Fast(model, episodes, validation, new EpisodeLossSettings());
        var cosine = InfluenceScoring.Fast(model, episodes, validation, new EpisodeLossSettings(), InfluenceNormalization.Cosine);
        double squaredNorm = validation.Norm * validation.Norm;

        Assert.That(dot[1], Is.EqualTo(-squaredNorm).Within(1e-9 * squaredNorm));
        Assert.That(dot[0], Is.EqualTo(squaredNorm).Within(1e-9 * squaredNorm));
        Assert.That(cosine, Is.EqualTo(new[] { 1.0, -1.0 }).Within(1e-9));
        var decision = InfluenceSelection.Threshold(dot, 0, reweight: true);
        Assert.That(decision.Kept, Is.EqualTo(new[] { 0 }));
        Assert.That(decision.Weights, Is.EqualTo(new[] { 1f }));
    }
}
