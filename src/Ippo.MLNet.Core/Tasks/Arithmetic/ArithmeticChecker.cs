using Ippo.MLNet.Core.Evaluation;

namespace Ippo.MLNet.Core.Tasks.Arithmetic;

/// <summary>
/// Checks every step of an arithmetic completion (grammar in <see cref="ArithmeticTrace"/>). Faithful means: as many
/// steps as operators; step 1 starts from the first operand; step k applies the k-th operator and operand to the
/// result written in step k-1; every result is right; the answer is the last result.
/// </summary>
public static class ArithmeticChecker
{
    /// <summary>Labels <paramref name="completion"/> for <paramref name="prompt"/> (e.g. <c>23+45-12=</c>).</summary>
    public static TraceCheck Check(string prompt, string completion)
    {
        ArgumentNullException.ThrowIfNull(completion);
        if (prompt is null || !ArithmeticTrace.TryParsePrompt(prompt, out var problem))
            throw new ArgumentException($"\"{prompt}\" is not an arithmetic prompt such as \"23+45-12=\".", nameof(prompt));
        return Check(problem!, completion);
    }

    /// <summary>Labels <paramref name="completion"/> for a parsed problem.</summary>
    public static TraceCheck Check(ArithmeticProblem problem, string completion)
    {
        if (!ArithmeticTrace.TryParse(completion, out var steps, out int answer))
        {
            int semicolon = completion.LastIndexOf(';');
            int? readable = semicolon >= 0 && int.TryParse(completion.AsSpan(semicolon + 1), out var a) ? a : null;
            return new TraceCheck(TraceLabel.Malformed, readable, "the completion does not follow step(,step)*;answer");
        }
        if (answer != problem.Answer)
            return new TraceCheck(TraceLabel.Wrong, answer, $"the answer {answer} is not {problem.Answer}");
        var flaw = FirstFlaw(problem, steps, answer);
        return flaw is null
            ? new TraceCheck(TraceLabel.CorrectFaithful, answer, "every step checks")
            : new TraceCheck(TraceLabel.CorrectUnfaithful, answer, flaw);
    }

    private static string? FirstFlaw(ArithmeticProblem problem, IReadOnlyList<ArithmeticStep> steps, int answer)
    {
        for (int k = 0; k < steps.Count; k++)
        {
            var step = steps[k];
            if (k >= problem.Operators.Count) return $"step {k + 1} is one more than the {problem.Operators.Count} operations";
            int expectedLeft = k == 0 ? problem.Operands[0] : steps[k - 1].Result;
            if (step.Left != expectedLeft)
                return k == 0
                    ? $"step 1 does not start from the first operand {expectedLeft}"
                    : $"step {k + 1} does not start from the previous result {expectedLeft}";
            if (step.Operator != problem.Operators[k] || step.Right != problem.Operands[k + 1])
                return $"step {k + 1} is not {problem.Operators[k]}{problem.Operands[k + 1]}";
            if (!step.IsRight) return $"step {k + 1} is wrong: {step} (should be {ArithmeticProblem.Apply(step.Left, step.Operator, step.Right)})";
        }
        if (steps.Count < problem.Operators.Count) return $"only {steps.Count} of {problem.Operators.Count} steps are written";
        if (steps[^1].Result != answer) return $"the answer {answer} is not the last result {steps[^1].Result}";
        return null;
    }
}
