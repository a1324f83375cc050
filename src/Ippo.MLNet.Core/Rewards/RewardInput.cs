namespace Ippo.MLNet.Core.Rewards;

/// <summary>What a reward function sees of one episode.</summary>
/// <param name="Prompt">The prompt text, as given to the policy.</param>
/// <param name="Completion">The decoded completion, up to and excluding EOS (and any padding).</param>
/// <param name="Reference">The reference answer for verifiable rewards, or null when the data has none.</param>
/// <param name="EndedWithEos">True when the policy emitted EOS before running out of new tokens.</param>
public sealed record RewardInput(string Prompt, string Completion, string? Reference, bool EndedWithEos);
