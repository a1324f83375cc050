namespace Ippo.MLNet.Core.Evaluation;

/// <summary>What evaluation needs to know about a task: how to read an answer and, where possible, check the steps.</summary>
public interface ITaskJudge
{
    /// <summary>The final answer written in <paramref name="completion"/>, normalised for comparison, or null when none can be read.</summary>
    string? ExtractAnswer(string completion);

    /// <summary>The correct answer of a prompt, normalised like <see cref="ExtractAnswer"/>.</summary>
    string TrueAnswer(string prompt, string? reference);

    /// <summary>
    /// The step-level label of a completion, or null when the task has no step checker. Correctness never reads it
    /// (it is <see cref="ExtractAnswer"/> = <see cref="TrueAnswer"/>, in evaluation and in the influence filter's
    /// metrics alike); a null label makes the faithfulness metrics NaN.
    /// </summary>
    TraceLabel? Label(string prompt, string completion, string? reference);
}
