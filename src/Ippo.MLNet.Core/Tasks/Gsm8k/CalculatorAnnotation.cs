namespace Ippo.MLNet.Core.Tasks.Gsm8k;

/// <summary>One GSM8K calculator annotation <c>&lt;&lt;48/2=24&gt;&gt;</c>: the expression and the result written for it.</summary>
/// <param name="Expression">The arithmetic expression, e.g. "48/2".</param>
/// <param name="Result">The result as written, e.g. "24".</param>
public sealed record CalculatorAnnotation(string Expression, string Result)
{
    /// <summary>Every annotation in a solution, in order.</summary>
    public static IReadOnlyList<CalculatorAnnotation> FindAll(string solution)
    {
        var found = new List<CalculatorAnnotation>();
        int start = 0;
        while ((start = solution.IndexOf("<<", start, StringComparison.Ordinal)) >= 0)
        {
            int end = solution.IndexOf(">>", start + 2, StringComparison.Ordinal);
            if (end < 0) break;
            var body = solution[(start + 2)..end];
            int eq = body.IndexOf('=');
            found.Add(eq < 0 ? new CalculatorAnnotation(body, "") : new CalculatorAnnotation(body[..eq], body[(eq + 1)..]));
            start = end + 2;
        }
        return found;
    }
}
