using Ippo.MLNet.Core.Models;

namespace Ippo.MLNet.Core.Rollouts;

/// <summary>
/// Where rollouts come from: prompts as token ids and sampling options in; token ids, their sampling log-probs and
/// finish reasons out. The trainer calls <see cref="GenerateAsync"/> once per iteration and
/// <see cref="SyncWeightsAsync"/> before its first rollout and after every update that changed the policy. The
/// trainer recomputes the old log-probs under the training policy: an engine's log-probs are only a diagnostic and
/// the optional importance-sampling correction's input. <see cref="InProcessRolloutEngine"/> is the default;
/// <see cref="Remote.OpenAiCompletionsRolloutEngine"/> samples from a vLLM server.
/// </summary>
public interface IRolloutEngine
{
    /// <summary>
    /// <see cref="RolloutRequest.SamplesPerPrompt"/> completions of every prompt, prompt-major: completion
    /// <c>p * SamplesPerPrompt + s</c> is sample s of prompt p. The trainer checks the answer with <see cref="RolloutCompletions.Check"/>.
    /// </summary>
    Task<IReadOnlyList<RolloutCompletion>> GenerateAsync(RolloutRequest request, CancellationToken cancellationToken = default);

    /// <summary>Makes the engine sample from <paramref name="policy"/>'s current weights (a no-op when it shares them).</summary>
    Task SyncWeightsAsync(Policy policy, CancellationToken cancellationToken = default);
}
