using Ippo.MLNet.Core.Generation;
using Ippo.MLNet.Core.Rollouts;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Ippo.MLNet.Tests.Remote;

/// <summary>The mismatch metric and the truncated importance weights on hand values; the trainer's check of an engine's answer.</summary>
public class RolloutCorrectionTests
{
    private static readonly float[] Trainer = { -1.0f, -2.0f, -0.5f, -0.3f, -0.1f, -4.0f };
    private static readonly float[] Engine = { -1.5f, -1.0f, -0.5f, -0.3f, -3.0f, -9.0f };
    private static readonly float[] Mask = { 1, 1, 1, 1, 1, 0 }; // the last position is padding

    [Test]
    public void TheMismatchIsTheMeanAndMaxAbsoluteGapOverRealTokens()
    {
        using var scope = NewDisposeScope();
        var (mean, max) = RolloutCorrection.LogProbDifference(tensor(Trainer, 2, 3), tensor(Engine, 2, 3), tensor(Mask, 2, 3));
        // gaps 0.5, 1.0, 0, 0, 2.9 (the padded 5.0 left out): mean 4.4 / 5, max 2.9.
        Assert.That(mean.item<double>(), Is.EqualTo(4.4 / 5).Within(1e-6));
        Assert.That(max.item<double>(), Is.EqualTo(2.9).Within(1e-6));
    }

    [Test]
    public void TheWeightsAreTheRatioTruncatedAtTheCapAndOneOnPadding()
    {
        using var scope = NewDisposeScope();
        var weights = RolloutCorrection.TruncatedImportanceWeights(tensor(Trainer, 2, 3), tensor(Engine, 2, 3), tensor(Mask, 2, 3), cap: 1.5).data<float>().ToArray();
        // exp(0.5) = 1.649 -> cap 1.5; exp(-1) = 0.368; exp(0) = 1; exp(0) = 1; exp(2.9) -> 1.5; padding 1.
        var expected = new[] { 1.5, Math.Exp(-1), 1, 1, 1.5, 1 };
        for (int i = 0; i < expected.Length; i++) Assert.That(weights[i], Is.EqualTo(expected[i]).Within(1e-6), $"token {i}");
        var (min, mean, max) = RolloutCorrection.Summary(tensor(weights, 2, 3), tensor(Mask, 2, 3));
        Assert.That((min, max), Is.EqualTo((Math.Exp(-1), 1.5)).Using<(double, double)>((a, b) => Math.Abs(a.Item1 - b.Item1) < 1e-6 && Math.Abs(a.Item2 - b.Item2) < 1e-6));
        Assert.That(mean, Is.EqualTo((1.5 + Math.Exp(-1) + 1 + 1 + 1.5) / 5).Within(1e-6));
        Assert.Throws<ArgumentOutOfRangeException>(() => RolloutCorrection.TruncatedImportanceWeights(tensor(Trainer), tensor(Engine), tensor(Mask), cap: 0.5));
    }

    private static RolloutRequest Request => new(new[] { new[] { 3 }, new[] { 4 } }, 1, new GenerationOptions { MaxNewTokens = 3 }, new[] { 1 }, 0);

    private static string CheckFails(params RolloutCompletion[] completions) =>
        Assert.Throws<InvalidDataException>(() => RolloutCompletions.Check(Request, completions, 10, "TestEngine"))!.Message;

    [Test]
    public void TheTrainerRefusesAnAnswerThatDoesNotFitTheRequestNamingThePrompt()
    {
        var good = new RolloutCompletion(new[] { 2, 1 }, new[] { -1f, -1f }, RolloutFinishReason.Stop);
        Assert.DoesNotThrow(() => RolloutCompletions.Check(Request, new[] { good, good }, 10, "TestEngine"));
        Assert.That(CheckFails(good), Does.Contain("TestEngine returned 1 completions for 2 prompts"));
        Assert.That(CheckFails(good, good with { TokenIds = new[] { 1, 2, 1 }, LogProbs = new[] { -1f, -1f, -1f } }), Does.Contain("prompt 1 sample 0").And.Contain("stop token 1 at position 0"));
        Assert.That(CheckFails(good, good with { FinishReason = RolloutFinishReason.Length }), Does.Contain("prompt 1").And.Contain("fewer than MaxNewTokens 3"));
        Assert.That(CheckFails(good with { TokenIds = new[] { 2, 12 } }, good), Does.Contain("prompt 0").And.Contain("outside the vocabulary [0, 10)"));
        Assert.That(CheckFails(good with { LogProbs = new[] { -1f, 0.5f } }, good), Does.Contain("prompt 0").And.Contain("log-prob is 0.5"));
        Assert.That(CheckFails(good, good with { TokenIds = new[] { 2, 2 } }), Does.Contain("prompt 1").And.Contain("not a stop id"));
    }
}
