using Ippo.MLNet.Core.Generation;

namespace Ippo.MLNet.Core.Rollouts;

/// <summary>
/// One iteration's rollout request. <paramref name="Prompts"/>: token ids of each distinct prompt draw (no padding).
/// <paramref name="SamplesPerPrompt"/>: completions per prompt, range [1, 1024]. <paramref name="Sampling"/>:
/// temperature, top-k, top-p and MaxNewTokens (the trainer's resolved rollout length). <paramref name="StopTokenIds"/>:
/// every id that ends a completion (the tokenizer's EOS ids and any extra). <paramref name="Seed"/>: the iteration's
/// sampling seed (an engine that can seed its sampler uses it; the same seed gives the same draws on the same machine).
/// </summary>
public sealed record RolloutRequest(
    IReadOnlyList<int[]> Prompts, int SamplesPerPrompt, GenerationOptions Sampling, IReadOnlyList<int> StopTokenIds, long Seed)
{
    /// <summary>Prompts x SamplesPerPrompt: the number of completions expected.</summary>
    public int CompletionCount => Prompts.Count * SamplesPerPrompt;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first field out of range.</summary>
    public RolloutRequest Validate()
    {
        if (Prompts is null || Prompts.Count == 0) throw new ArgumentException("RolloutRequest.Prompts must hold at least one prompt.", nameof(Prompts));
        for (int i = 0; i < Prompts.Count; i++)
            if (Prompts[i] is null || Prompts[i].Length == 0) throw new ArgumentException($"RolloutRequest.Prompts[{i}] is empty: every prompt needs a token.", nameof(Prompts));
        if (SamplesPerPrompt is < 1 or > 1024)
            throw new ArgumentOutOfRangeException(nameof(SamplesPerPrompt), SamplesPerPrompt, "RolloutRequest.SamplesPerPrompt must be in [1, 1024].");
        (Sampling ?? throw new ArgumentNullException(nameof(Sampling), "RolloutRequest.Sampling must not be null.")).Validate();
        if (StopTokenIds is null) throw new ArgumentNullException(nameof(StopTokenIds), "RolloutRequest.StopTokenIds must not be null.");
        return this;
    }
}
