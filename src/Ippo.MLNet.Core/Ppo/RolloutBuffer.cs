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

    /// <summary>Log-probs of the frozen reference policy.</summary>
    public required Tensor RefLogProbs { get; init; }

    /// <summary>Critic values at rollout time.</summary>
    public required Tensor Values { get; init; }

    /// <summary>Sequence rewards [episodes].</summary>
    public required Tensor Scores { get; init; }

    /// <summary>Per-token KL estimate to the reference.</summary>
    public Tensor? Kl { get; set; }

    /// <summary>Per-token rewards: -beta * KL, plus the score on the last token.</summary>
    public Tensor? TokenRewards { get; set; }

    /// <summary>GAE advantages (whitened when the options say so).</summary>
    public Tensor? Advantages { get; set; }

    /// <summary>Value targets.</summary>
    public Tensor? Returns { get; set; }

    /// <summary>Per-episode loss weights [episodes]; null means 1 for every episode.</summary>
    public Tensor? Weights { get; set; }

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
            OldLogProbs = Take(OldLogProbs), RefLogProbs = Take(RefLogProbs), Values = Take(Values), Scores = Take(Scores),
            Kl = TakeOrNull(Kl), TokenRewards = TakeOrNull(TokenRewards), Advantages = TakeOrNull(Advantages),
            Returns = TakeOrNull(Returns), Weights = TakeOrNull(Weights),
        };
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in new[] { PromptTokens, PromptMask, ResponseTokens, ResponseMask, OldLogProbs, RefLogProbs, Values, Scores, Kl, TokenRewards, Advantages, Returns, Weights })
            t?.Dispose();
    }
}
