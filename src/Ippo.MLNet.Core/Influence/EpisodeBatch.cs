using Ippo.MLNet.Core.Generation;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Ppo;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Influence;

/// <summary>
/// The tensors influence scoring reads from a rollout buffer. Prompts are left-padded [batch, promptLength], responses
/// right-padded [batch, responseLength]; old log-probs and advantages are [batch, responseLength]. RefLogProbs
/// [batch, responseLength] is needed only for a KL loss term; LossMask (null: ResponseMask) is the mask the losses use
/// (truncated completions zeroed). Borrowed, not owned.
/// </summary>
public sealed record EpisodeBatch(Tensor PromptTokens, Tensor PromptMask, Tensor ResponseTokens, Tensor ResponseMask, Tensor OldLogProbs, Tensor Advantages,
    Tensor? RefLogProbs = null, Tensor? LossMask = null)
{
    /// <summary>Episode count.</summary>
    public long Count => ResponseTokens.shape[0];

    /// <summary>The episodes of a buffer whose advantages are computed.</summary>
    public static EpisodeBatch From(RolloutBuffer buffer) => new(
        buffer.PromptTokens, buffer.PromptMask, buffer.ResponseTokens, buffer.ResponseMask, buffer.OldLogProbs,
        buffer.Advantages ?? throw new InvalidOperationException("The buffer has no advantages yet: compute them before scoring influence."),
        buffer.RefLogProbs, buffer.LossMask);

    /// <summary>
    /// Episodes given as tokens with one advantage each (an outcome advantage, applied to every response token), scored
    /// at theta = theta_old: old log-probs are the model's current ones, so every ratio is 1. Tensors live in the
    /// caller's dispose scope.
    /// </summary>
    public static EpisodeBatch FromTokens(CausalLanguageModel model, IReadOnlyList<int[]> prompts, IReadOnlyList<int[]> responses,
        IReadOnlyList<double> advantages, int padId, double temperature = 1.0)
    {
        if (prompts.Count != responses.Count || prompts.Count != advantages.Count)
            throw new ArgumentException($"prompts ({prompts.Count}), responses ({responses.Count}) and advantages ({advantages.Count}) must have the same count.");
        var device = ModelDevice.Of(model);
        var dtype = model.parameters().First().dtype;
        var (promptTokens, promptMask) = PromptBatch.LeftPad(prompts, padId, device);
        var (responseTokens, responseMask) = PromptBatch.RightPad(responses, padId, device);
        Tensor old;
        using (no_grad())
            old = SequenceScoring.LogProbsAndEntropy(model, promptTokens, promptMask, responseTokens, responseMask, temperature).LogProbs;
        var perEpisode = tensor(advantages.ToArray(), device: device).to(dtype).unsqueeze(1);
        return new EpisodeBatch(promptTokens, promptMask, responseTokens, responseMask, old, perEpisode * responseMask.to(dtype));
    }

    /// <summary>Rows <paramref name="start"/>..start+length as views.</summary>
    public EpisodeBatch Slice(long start, long length) => new(
        PromptTokens.narrow(0, start, length), PromptMask.narrow(0, start, length), ResponseTokens.narrow(0, start, length),
        ResponseMask.narrow(0, start, length), OldLogProbs.narrow(0, start, length), Advantages.narrow(0, start, length),
        RefLogProbs?.narrow(0, start, length), LossMask?.narrow(0, start, length));
}
