using Ippo.MLNet.Core.Evaluation;

namespace Ippo.MLNet.Core.Tasks.Strings;

/// <summary>
/// Evaluation's view of a <see cref="StringTask"/>: the answer is the whole completion (trimmed). There are no steps, so
/// a right answer is <see cref="TraceLabel.CorrectFaithful"/>, a wrong one <see cref="TraceLabel.Wrong"/>, and an empty
/// one or one with characters outside the task's letters <see cref="TraceLabel.Malformed"/>.
/// </summary>
public sealed class StringTaskJudge : ITaskJudge
{
    private readonly StringTask _task;

    /// <summary>Judges completions of <paramref name="task"/>.</summary>
    public StringTaskJudge(StringTask task) => _task = task ?? throw new ArgumentNullException(nameof(task));

    /// <inheritdoc />
    public string? ExtractAnswer(string completion)
    {
        var answer = completion.Trim();
        return answer.Length == 0 ? null : answer;
    }

    /// <inheritdoc />
    public string TrueAnswer(string prompt, string? reference) => reference?.Trim() ?? _task.Answer(prompt);

    /// <inheritdoc />
    public TraceLabel? Label(string prompt, string completion, string? reference)
    {
        var answer = ExtractAnswer(completion);
        if (answer is null || answer.Any(c => !_task.Letters.Contains(c))) return TraceLabel.Malformed;
        return answer == TrueAnswer(prompt, reference) ? TraceLabel.CorrectFaithful : TraceLabel.Wrong;
    }
}
