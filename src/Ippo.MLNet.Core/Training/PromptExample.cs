namespace Ippo.MLNet.Core.Training;

/// <summary>A training prompt and, for verifiable rewards, its reference answer.</summary>
/// <param name="Prompt">The prompt text given to the policy.</param>
/// <param name="Reference">The reference answer passed to the reward function, or null.</param>
public sealed record PromptExample(string Prompt, string? Reference = null);
