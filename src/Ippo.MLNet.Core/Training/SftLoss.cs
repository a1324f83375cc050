using Ippo.MLNet.Core.Generation;
using Ippo.MLNet.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Training;

/// <summary>The supervised (next-token) loss over completion tokens only.</summary>
public static class SftLoss
{
    /// <summary>
    /// Mean negative log-likelihood of the completion tokens (token-mean over the response mask): a scalar.
    /// Prompt tokens are context, not targets.
    /// </summary>
    public static Tensor Compute(CausalLanguageModel model, TrainingBatch batch) =>
        Compute(model, batch.PromptTokens, batch.PromptMask, batch.ResponseTokens, batch.ResponseMask);

    /// <summary>The same from tensors: prompts [batch, promptLength], responses [batch, responseLength].</summary>
    public static Tensor Compute(CausalLanguageModel model, Tensor promptTokens, Tensor promptMask, Tensor responseTokens, Tensor responseMask)
    {
        using var scope = NewDisposeScope();
        var hidden = SequenceScoring.ResponseHidden(model, promptTokens, promptMask, responseTokens, responseMask);
        var logits = model.Logits(hidden);
        var nll = nn.functional.cross_entropy(
            logits.flatten(0, 1), responseTokens.flatten(), reduction: nn.Reduction.None).view_as(responseTokens);
        var mask = responseMask.to(nll.dtype);
        var count = mask.sum();
        if (count.ToDouble() == 0) throw new ArgumentException("The response mask is empty: there is no completion token to learn.", nameof(responseMask));
        return ((nll * mask).sum() / count).MoveToOuterDisposeScope();
    }
}
