namespace Ippo.MLNet.Core.Evaluation;

/// <summary>One judged completion.</summary>
/// <param name="Prompt">The prompt text.</param>
/// <param name="Completion">The decoded completion (without EOS).</param>
/// <param name="Answer">The extracted answer, or null.</param>
/// <param name="Correct">Whether the answer is right.</param>
/// <param name="Label">The step label, or null without a step checker.</param>
/// <param name="Greedy">True for a greedy completion, false for a sample.</param>
public sealed record EvaluatedCompletion(string Prompt, string Completion, string? Answer, bool Correct, TraceLabel? Label, bool Greedy);
