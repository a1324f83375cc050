using Ippo.MLNet.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Generation;

/// <summary>Per-token log-probs and entropy of given completions under a model (with autograd when enabled).</summary>
public static class SequenceScoring
{
    /// <summary>
    /// Hidden states of <paramref name="model"/> at the positions that predict each response token:
    /// [batch, responseLength, hidden].
    /// promptTokens/promptMask [batch, promptLength] (left-padded), responseTokens/responseMask [batch, responseLength]
    /// (right-padded).
    /// </summary>
    public static Tensor ResponseHidden(CausalLanguageModel model, Tensor promptTokens, Tensor promptMask, Tensor responseTokens, Tensor responseMask)
    {
        long promptLength = promptTokens.shape[1], responseLength = responseTokens.shape[1];
        var tokens = cat(new[] { promptTokens, responseTokens }, 1);
        var mask = cat(new[] { promptMask, responseMask.to(promptMask.dtype) }, 1);
        var hidden = model.Hidden(tokens, mask);
        return hidden.narrow(1, promptLength - 1, responseLength);
    }

    /// <summary>
    /// Log-probs of the response tokens under softmax(logits / temperature) and the entropy of that distribution,
    /// both [batch, responseLength] and zero where responseMask is 0.
    /// </summary>
    public static (Tensor LogProbs, Tensor Entropy) LogProbsAndEntropy(
        CausalLanguageModel model, Tensor promptTokens, Tensor promptMask, Tensor responseTokens, Tensor responseMask, double temperature = 1.0)
    {
        using var scope = NewDisposeScope();
        var hidden = ResponseHidden(model, promptTokens, promptMask, responseTokens, responseMask);
        var (logProbs, entropy) = FromHidden(model, hidden, responseTokens, responseMask, temperature);
        return (logProbs.MoveToOuterDisposeScope(), entropy.MoveToOuterDisposeScope());
    }

    /// <summary>Log-probs and entropy from response hidden states [batch, responseLength, hidden].</summary>
    public static (Tensor LogProbs, Tensor Entropy) FromHidden(
        CausalLanguageModel model, Tensor responseHidden, Tensor responseTokens, Tensor responseMask, double temperature = 1.0)
    {
        using var scope = NewDisposeScope();
        var (logProbs, entropy) = FromLogits(model.Logits(responseHidden), responseTokens, responseMask, temperature);
        return (logProbs.MoveToOuterDisposeScope(), entropy.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Log-probs of the response tokens and per-token entropy [batch, responseLength] (zero where masked) from
    /// response logits [batch, responseLength, vocab] at <paramref name="temperature"/> (&lt;= 0 means 1).
    /// </summary>
    public static (Tensor LogProbs, Tensor Entropy) FromLogits(Tensor logits, Tensor responseTokens, Tensor responseMask, double temperature = 1.0)
    {
        if (temperature <= 0) temperature = 1.0;
        using var scope = NewDisposeScope();
        if (temperature != 1.0) logits = logits / temperature;
        var all = nn.functional.log_softmax(logits, dim: -1);
        var mask = responseMask.to(all.dtype);
        var chosen = all.gather(-1, responseTokens.unsqueeze(-1)).squeeze(-1) * mask;
        var entropy = -(all.exp() * all).sum(dim: -1) * mask;
        return (chosen.MoveToOuterDisposeScope(), entropy.MoveToOuterDisposeScope());
    }
}
