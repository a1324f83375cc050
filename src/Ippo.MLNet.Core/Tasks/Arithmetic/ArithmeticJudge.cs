using Ippo.MLNet.Core.Evaluation;

namespace Ippo.MLNet.Core.Tasks.Arithmetic;

/// <summary>Evaluation's view of the built-in task: the answer after ';' and the step checker.</summary>
public sealed class ArithmeticJudge : ITaskJudge
{
    /// <summary>The answer of a prompt such as <c>23+45-12=</c>.</summary>
    public static int Solve(string prompt) =>
        ArithmeticTrace.TryParsePrompt(prompt, out var p) ? p!.Answer
            : throw new ArgumentException($"\"{prompt}\" is not an arithmetic prompt such as \"23+45-12=\".", nameof(prompt));

    /// <inheritdoc />
    public string? ExtractAnswer(string completion)
    {
        int semicolon = completion.LastIndexOf(';');
        return semicolon >= 0 && int.TryParse(completion.AsSpan(semicolon + 1), out var a) ? a.ToString() : null;
    }

    /// <inheritdoc />
    public string TrueAnswer(string prompt, string? reference) =>
        reference is not null && int.TryParse(reference, out var r) ? r.ToString() : Solve(prompt).ToString();

    /// <inheritdoc />
    public TraceLabel? Label(string prompt, string completion, string? reference) => ArithmeticChecker.Check(prompt, completion).Label;
}
