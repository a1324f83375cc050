using System.Globalization;
using Ippo.MLNet.Core.Evaluation;

namespace Ippo.MLNet.Core.Tasks.Gsm8k;

/// <summary>
/// Verifies every calculator annotation of a solution by evaluating its expression. A written result counts as right
/// when it is within 0.01 absolute or 1e-4 relative of the exact value, because GSM8K writes rounded results such as
/// <c>&lt;&lt;10/3=3.33&gt;&gt;</c>.
/// </summary>
public static class Gsm8kStepChecker
{
    /// <summary>Checks the annotations of <paramref name="solution"/>.</summary>
    public static Gsm8kStepCheck Check(string solution)
    {
        var annotations = CalculatorAnnotation.FindAll(solution);
        int verified = 0;
        string? failure = null;
        foreach (var a in annotations)
        {
            var why = Verify(a);
            if (why is null) verified++;
            else failure ??= why;
        }
        return new Gsm8kStepCheck(annotations.Count, verified, failure);
    }

    /// <summary>Labels a completion against the reference final answer: steps checked by their annotations.</summary>
    public static TraceLabel Label(string completion, string referenceAnswer)
    {
        var answer = AnswerExtractor.Extract(completion);
        if (answer is null) return TraceLabel.Malformed;
        if (!AnswerExtractor.Matches(answer, referenceAnswer)) return TraceLabel.Wrong;
        return Check(completion).AllVerified ? TraceLabel.CorrectFaithful : TraceLabel.CorrectUnfaithful;
    }

    private static string? Verify(CalculatorAnnotation a)
    {
        var value = ArithmeticExpression.TryEvaluate(a.Expression);
        if (value is null) return $"<<{a.Expression}={a.Result}>>: the expression does not evaluate";
        var written = a.Result.Replace(",", "").Replace("$", "").Trim();
        // A few gold results are written as fractions (<<3/4=3/4>>), so a result may itself be an expression.
        if (!decimal.TryParse(written, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var result))
        {
            if (ArithmeticExpression.TryEvaluate(written) is not { } evaluated) return $"<<{a.Expression}={a.Result}>>: the result is not a number";
            result = evaluated;
        }
        var error = Math.Abs(value.Value - result);
        if (error <= 0.01m || error <= Math.Abs(value.Value) * 0.0001m) return null;
        return $"<<{a.Expression}={a.Result}>>: the expression is {value.Value.ToString(CultureInfo.InvariantCulture)}";
    }
}
