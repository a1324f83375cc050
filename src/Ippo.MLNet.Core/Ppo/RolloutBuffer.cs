using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Ppo;

/// <summary>
/// One iteration's episodes: prompts, responses and everything PPO computes about them. All tensors are
/// [episodes, responseLength] unless noted; the buffer owns them and disposing it frees them.
/// </summary>
public sealed class RolloutBuffer : IDisposable
{
    /// <summary>The text side of each episode, row-aligned with the tensors.</summary>
    public required IReadOnlyList<Episode> Episodes { get; init; }

    /// <summary>Left-padded prompts [episodes, promptLength] int64.</summary>
    public required Tensor PromptTokens { get; init; }

    /// <summary>1 on real prompt tokens [episodes, promptLength].</summary>
    public required Tensor PromptMask { get; init; }

    /// <summary>Generated tokens, EOS included, right-padded, int64.</summary>
    public required Tensor ResponseTokens { get; init; }

    /// <summary>1 on generated tokens.</summary>
    public required Tensor ResponseMask { get; init; }

    /// <summary>Log-probs of the rollout policy.</summary>
    public required Tensor OldLogProbs { get; init; }

    /// <summary>Log-probs of the frozen reference policy; null when the run keeps no reference (KL coefficient 0).</summary>
    public Tensor? RefLogProbs { get; init; }

    /// <summary>Critic values at rollout time; null when the advantage estimator needs no critic.</summary>
    public Tensor? Values { get; init; }

    /// <summary>Group id per episode [episodes] int64 (the samples of one prompt draw share one); null means one group per episode.</summary>
    public Tensor? GroupIds { get; init; }

    /// <summary>The mask the losses use; null means <see cref="ResponseMask"/> (truncated completions are zeroed here when masked).</summary>
    public Tensor? LossMask { get; set; }

    /// <summary>Sequence rewards [episodes].</summary>
    public required Tensor Scores { get; init; }

    /// <summary>Per-token KL estimate to the reference.</summary>
    public Tensor? Kl { get; set; }

    /// <summary>Per-token rewards: -beta * KL, plus the score on the last token.</summary>
    public Tensor? TokenRewards { get; set; }

    /// <summary>Advantages from the options' estimator (GAE ones whitened when the options say so).</summary>
    public Tensor? Advantages { get; set; }

    /// <summary>Value targets.</summary>
    public Tensor? Returns { get; set; }

    /// <summary>Per-episode loss weights [episodes]; null means 1 for every episode.</summary>
    public Tensor? Weights { get; set; }

    /// <summary>The rollout engine's log-prob of each response token [episodes, responseLength], 0 on padding (a diagnostic; the losses use <see cref="OldLogProbs"/>).</summary>
    public Tensor? EngineLogProbs { get; set; }

    /// <summary>
    /// Truncated importance weights min(exp(old - engine), cap) [episodes, responseLength] when
    /// <see cref="PpoOptions.RolloutImportanceSampling"/> is on (they have multiplied <see cref="Advantages"/>), else null.
    /// </summary>
    public Tensor? ImportanceWeights { get; set; }

    /// <summary>Number of episodes.</summary>
    public int Count => Episodes.Count;

    /// <summary>A new buffer holding the rows <paramref name="rows"/> (copies; this buffer is unchanged).</summary>
    public RolloutBuffer Select(IReadOnlyList<int> rows)
    {
        using var index = tensor(rows.Select(r => (long)r).ToArray(), device: PromptTokens.device);
        Tensor Take(Tensor t) => t.index_select(0, index).DetachFromDisposeScope();
        Tensor? TakeOrNull(Tensor? t) => t is null ? null : Take(t);
        return new RolloutBuffer
        {
            Episodes = rows.Select(r => Episodes[r]).ToList(),
            PromptTokens = Take(PromptTokens), PromptMask = Take(PromptMask),
            ResponseTokens = Take(ResponseTokens), ResponseMask = Take(ResponseMask),
            OldLogProbs = Take(OldLogProbs), RefLogProbs = TakeOrNull(RefLogProbs), Values = TakeOrNull(Values), Scores = Take(Scores),
            GroupIds = TakeOrNull(GroupIds), LossMask = TakeOrNull(LossMask),
            Kl = TakeOrNull(Kl), TokenRewards = TakeOrNull(TokenRewards), Advantages = TakeOrNull(Advantages),
            Returns = TakeOrNull(Returns), Weights = TakeOrNull(Weights),
            EngineLogProbs = TakeOrNull(EngineLogProbs), ImportanceWeights = TakeOrNull(ImportanceWeights),
        };
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in new[] { PromptTokens, PromptMask, ResponseTokens, ResponseMask, OldLogProbs, RefLogProbs, Values, GroupIds, LossMask, Scores, Kl, TokenRewards, Advantages, Returns, Weights, EngineLogProbs, ImportanceWeights })
            t?.Dispose();
    }
}
