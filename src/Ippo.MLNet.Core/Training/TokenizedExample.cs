namespace Ippo.MLNet.Core.Training;

/// <summary>One supervised example as token ids: the prompt, and the completion with its EOS id at the end.</summary>
/// <param name="Prompt">Prompt ids (no padding), at least one.</param>
/// <param name="Completion">Completion ids including the final EOS, at least one.</param>
public sealed record TokenizedExample(int[] Prompt, int[] Completion);
