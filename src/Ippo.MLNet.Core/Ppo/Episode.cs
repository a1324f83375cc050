namespace Ippo.MLNet.Core.Ppo;

/// <summary>The text side of one rollout episode (its tensors live in <see cref="RolloutBuffer"/>).</summary>
/// <param name="PromptIndex">Row of the prompt in the training prompt set.</param>
/// <param name="Prompt">Prompt text.</param>
/// <param name="Completion">Decoded completion, without EOS.</param>
/// <param name="Reference">Reference answer, or null.</param>
/// <param name="EndedWithEos">Whether the policy emitted EOS.</param>
/// <param name="Reward">Reward from the reward function, missing-EOS penalty included.</param>
/// <param name="GroupId">The iteration's group: episodes sampled from the same draw of a prompt share it (0, 1, ... in buffer order).</param>
public sealed record Episode(int PromptIndex, string Prompt, string Completion, string? Reference, bool EndedWithEos, double Reward, int GroupId = 0);
