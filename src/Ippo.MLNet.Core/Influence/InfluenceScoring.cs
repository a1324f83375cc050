using Ippo.MLNet.Core.Generation;
using Ippo.MLNet.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Influence;

/// <summary>
/// Influence of each rollout episode on the validation loss: Score(z_i) = g_i . g_val, where g_i is the gradient of
/// episode i's policy loss (clipped PPO, or GRPO's with its KL term; <see cref="EpisodeLoss"/>) and g_val the SFT-loss gradient on gold validation traces, over all trainable
/// parameters at the current parameters. Positive: a step on that episode lowers the validation loss (to first order).
/// </summary>
public static class InfluenceScoring
{
    /// <summary>
    /// Every episode's score [batch] from ONE forward and ONE backward pass over the batch (NOTES.md §2): layer inputs
    /// come from forward hooks, per-token output gradients from the backward pass, and each score is a sum over the
    /// episode's tokens of delta^T G a per layer. Equals <see cref="Naive"/> up to rounding.
    /// </summary>
    public static double[] Fast(CausalLanguageModel model, EpisodeBatch episodes, ValidationGradient validation,
        EpisodeLossSettings settings, InfluenceNormalization normalization = InfluenceNormalization.Dot)
    {
        using var pass = Capture(model, episodes, settings);
        return pass.Gradients.Scores(validation, normalization, episodes.Count);
    }

    /// <summary>
    /// The differentiable pass behind <see cref="Fast"/>, kept for reuse: its pieces score the episodes and can assemble
    /// the gradient of any weighting of their losses (the fused first update step). Parameter .grad fields are untouched.
    /// </summary>
    public static EpisodeForward Capture(CausalLanguageModel model, EpisodeBatch episodes, EpisodeLossSettings settings)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(episodes);
        ArgumentNullException.ThrowIfNull(settings);
        using var scope = NewDisposeScope();
        using var capture = GradientCapture.Attach(model);
        var (losses, logProbs, entropy) = Losses(model, episodes, settings, capture);
        var gradients = capture.Backward(losses.sum());
        return new EpisodeForward(losses.detach().MoveToOuterDisposeScope(), logProbs.detach().MoveToOuterDisposeScope(),
            entropy.detach().MoveToOuterDisposeScope(), gradients);
    }

    /// <summary>
    /// The reference: for each episode alone, one forward and one backward pass, the flattened gradient of every
    /// trainable parameter, and its dot product with g_val (cosine: divided by both norms). Slow; for tests and benchmarks.
    /// </summary>
    public static double[] Naive(CausalLanguageModel model, EpisodeBatch episodes, ValidationGradient validation,
        EpisodeLossSettings settings, InfluenceNormalization normalization = InfluenceNormalization.Dot)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(episodes);
        var parameters = model.named_parameters().Where(p => p.parameter.requires_grad).ToList();
        var scores = new double[episodes.Count];
        for (long i = 0; i < episodes.Count; i++)
        {
            using var scope = NewDisposeScope();
            var (loss, _, _) = Losses(model, episodes.Slice(i, 1), settings, capture: null);
            var grads = autograd.grad(new[] { loss.sum() }, parameters.Select(p => (Tensor)p.parameter).ToList());
            double dot = 0, squares = 0;
            for (int k = 0; k < parameters.Count; k++)
            {
                var g = grads[k].to(ScalarType.Float64);
                dot += (g * validation[parameters[k].name].to(ScalarType.Float64)).sum().ToDouble();
                squares += g.square().sum().ToDouble();
            }
            double norm = Math.Sqrt(squares) * validation.Norm;
            scores[i] = normalization == InfluenceNormalization.Dot ? dot : norm == 0 ? 0 : dot / norm;
        }
        return scores;
    }

    private static (Tensor Losses, Tensor LogProbs, Tensor Entropy) Losses(CausalLanguageModel model, EpisodeBatch e, EpisodeLossSettings settings, GradientCapture? capture)
    {
        var hidden = SequenceScoring.ResponseHidden(model, e.PromptTokens, e.PromptMask, e.ResponseTokens, e.ResponseMask);
        var logits = model.Logits(hidden);
        if (model.TiedHeadParameterName is { } tied) capture?.RecordOuterProduct(tied, hidden, logits);
        var (logProbs, entropy) = SequenceScoring.FromLogits(logits, e.ResponseTokens, e.ResponseMask, settings.Temperature);
        var losses = EpisodeLoss.Compute(logProbs, e.OldLogProbs.to(logProbs.dtype), e.Advantages.to(logProbs.dtype), e.LossMask ?? e.ResponseMask, settings, e.RefLogProbs);
        return (losses, logProbs, entropy);
    }
}
