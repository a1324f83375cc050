using Ippo.MLNet.Core.Generation;
using Ippo.MLNet.Core.Influence;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Training;
using Ippo.MLNet.Tests.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Tests.Influence;

/// <summary>Ragged episodes and a validation batch for the tiny models; tensors live in the caller's dispose scope.</summary>
internal static class InfluenceFixtures
{
    public static readonly int[][] Prompts = { new[] { 1, 3, 4, 5 }, new[] { 1, 6 }, new[] { 1, 7, 8, 9, 10, 11 }, new[] { 1, 13 }, new[] { 1, 4, 4 } };
    public static readonly int[][] Responses = { new[] { 5, 6, 7, 2 }, new[] { 8, 2 }, new[] { 9, 10, 11, 12, 13, 2 }, new[] { 14 }, new[] { 3, 3, 3 } };

    public static readonly TokenizedExample[] Validation =
    {
        new(new[] { 1, 3, 4 }, new[] { 5, 6, 2 }), new(new[] { 1, 9 }, new[] { 10, 11, 12, 2 }), new(new[] { 1, 7, 7, 7 }, new[] { 8, 2 }),
    };

    /// <summary>Episodes with random advantages and old log-probs perturbed from the model's own, so clipping and dual clip both bite.</summary>
    public static EpisodeBatch Episodes(CausalLanguageModel model, ScalarType dtype, long seed = 3, double perturbation = 0.4)
    {
        var (prompt, promptMask) = PromptBatch.LeftPad(Prompts, TinyModels.Pad, CPU);
        var (response, responseMask) = PromptBatch.RightPad(Responses, TinyModels.Pad, CPU);
        var generator = new Generator((ulong)seed);
        Tensor current;
        using (no_grad()) current = SequenceScoring.LogProbsAndEntropy(model, prompt, promptMask, response, responseMask).LogProbs;
        var mask = responseMask.to(dtype);
        var old = (current.to(dtype) + perturbation * randn(current.shape, dtype: dtype, generator: generator)) * mask;
        var advantages = randn(current.shape, dtype: dtype, generator: generator) * mask;
        return new EpisodeBatch(prompt, promptMask, response, responseMask, old, advantages);
    }

    public static ValidationGradient ValidationGradientOf(CausalLanguageModel model, IReadOnlyList<TokenizedExample>? traces = null)
    {
        using var batch = TrainingBatch.Collate(traces ?? Validation, TinyModels.Pad, CPU);
        return ValidationGradient.Compute(model, batch);
    }

    public static double MaxRelativeError(double[] actual, double[] expected)
    {
        double scale = expected.Max(Math.Abs);
        return actual.Zip(expected, (a, e) => Math.Abs(a - e)).Max() / scale;
    }
}
