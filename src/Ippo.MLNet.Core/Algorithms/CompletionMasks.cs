using Ippo.MLNet.Core.Ppo;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Algorithms;

/// <summary>Which completions ran out of tokens, and masking them out of the loss (TRL's mask_truncated_completions).</summary>
public static class CompletionMasks
{
    /// <summary>
    /// responseTokens (integer), responseMask [batch, length], right-padded -> bool [batch]: true where the last
    /// response token is not <paramref name="eosTokenId"/> (the completion was cut at the token limit), and for an
    /// empty response.
    /// </summary>
    public static Tensor Truncated(Tensor responseTokens, Tensor responseMask, long eosTokenId)
    {
        TensorChecks.Rank(responseTokens, nameof(responseTokens), 2);
        TensorChecks.SameShape(responseTokens, nameof(responseTokens), responseMask, nameof(responseMask));
        using var scope = NewDisposeScope();
        var lengths = responseMask.to(ScalarType.Int64).sum(dim: 1);
        var last = responseTokens.gather(1, (lengths - 1).clamp_min(0).unsqueeze(1)).squeeze(1);
        return last.ne(eosTokenId).logical_or(lengths.eq(0)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// responseMask [batch, length], truncated bool [batch] -> the mask with truncated rows set to 0, in the mask's
    /// dtype: those episodes then add nothing to any loss. A batch where every row is truncated leaves an empty mask,
    /// which the loss aggregation refuses; skip such a step.
    /// </summary>
    public static Tensor MaskTruncated(Tensor responseMask, Tensor truncated)
    {
        TensorChecks.Rank(responseMask, nameof(responseMask), 2);
        if (truncated.dim() != 1 || truncated.shape[0] != responseMask.shape[0] || truncated.dtype != ScalarType.Bool)
            throw new ArgumentException($"truncated must be a bool tensor of shape [{responseMask.shape[0]}]; it is {truncated.dtype} [{string.Join(", ", truncated.shape)}].", nameof(truncated));
        using var scope = NewDisposeScope();
        var keep = truncated.logical_not().to(responseMask.dtype).unsqueeze(1);
        return (responseMask * keep).MoveToOuterDisposeScope();
    }
}
