using Ippo.MLNet.Core.Ppo;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Influence;

/// <summary>
/// The tensors influence scoring reads from a rollout buffer. Prompts are left-padded [batch, promptLength], responses
/// right-padded [batch, responseLength]; old log-probs and advantages are [batch, responseLength]. Borrowed, not owned.
/// </summary>
public sealed record EpisodeBatch(Tensor PromptTokens, Tensor PromptMask, Tensor ResponseTokens, Tensor ResponseMask, Tensor OldLogProbs, Tensor Advantages)
{
    /// <summary>Episode count.</summary>
    public long Count => ResponseTokens.shape[0];

    /// <summary>The episodes of a buffer whose advantages are computed.</summary>
    public static EpisodeBatch From(RolloutBuffer buffer) => new(
        buffer.PromptTokens, buffer.PromptMask, buffer.ResponseTokens, buffer.ResponseMask, buffer.OldLogProbs,
        buffer.Advantages ?? throw new InvalidOperationException("The buffer has no advantages yet: compute them before scoring influence."));

    /// <summary>Rows <paramref name="start"/>..start+length as views.</summary>
    public EpisodeBatch Slice(long start, long length) => new(
        PromptTokens.narrow(0, start, length), PromptMask.narrow(0, start, length), ResponseTokens.narrow(0, start, length),
        ResponseMask.narrow(0, start, length), OldLogProbs.narrow(0, start, length), Advantages.narrow(0, start, length));
}
