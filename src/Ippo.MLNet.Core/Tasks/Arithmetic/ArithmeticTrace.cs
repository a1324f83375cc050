namespace Ippo.MLNet.Core.Tasks.Arithmetic;

/// <summary>
/// Reads and writes completions of the grammar <c>step(,step)*;answer</c> where a step is
/// <c>number op number=number</c>, a number is <c>-?[0-9]+</c> and op is one of <c>+ - *</c>. No spaces.
/// </summary>
public static class ArithmeticTrace
{
    /// <summary>The steps a faithful solver writes for <paramref name="problem"/>.</summary>
    public static IReadOnlyList<ArithmeticStep> GoldSteps(ArithmeticProblem problem)
    {
        var steps = new List<ArithmeticStep>();
        int left = problem.Operands[0];
        for (int i = 0; i < problem.Operators.Count; i++)
        {
            steps.Add(new ArithmeticStep(left, problem.Operators[i], problem.Operands[i + 1], problem.IntermediateResults[i]));
            left = problem.IntermediateResults[i];
        }
        return steps;
    }

    /// <summary>Writes steps and an answer as completion text.</summary>
    public static string Write(IEnumerable<ArithmeticStep> steps, int answer) => string.Join(",", steps) + ";" + answer;

    /// <summary>Parses a completion; false when it does not follow the grammar.</summary>
    public static bool TryParse(string completion, out IReadOnlyList<ArithmeticStep> steps, out int answer)
    {
        steps = Array.Empty<ArithmeticStep>();
        answer = 0;
        int semicolon = completion.IndexOf(';');
        if (semicolon < 0 || completion.IndexOf(';', semicolon + 1) >= 0) return false;
        int pos = 0;
        var answerText = completion.AsSpan(semicolon + 1);
        if (!TryNumber(answerText, ref pos, out answer) || pos != answerText.Length) return false;
        var parsed = new List<ArithmeticStep>();
        var body = completion[..semicolon];
        if (body.Length == 0) return false;
        foreach (var part in body.Split(','))
        {
            var span = part.AsSpan();
            pos = 0;
            if (!TryNumber(span, ref pos, out int left) || pos >= span.Length) return false;
            char op = span[pos++];
            if (op is not ('+' or '-' or '*')) return false;
            if (!TryNumber(span, ref pos, out int right) || pos >= span.Length || span[pos++] != '=') return false;
            if (!TryNumber(span, ref pos, out int result) || pos != span.Length) return false;
            parsed.Add(new ArithmeticStep(left, op, right, result));
        }
        steps = parsed;
        return true;
    }

    /// <summary>Parses a prompt such as <c>23+45-12=</c>; false when it is not one.</summary>
    public static bool TryParsePrompt(string prompt, out ArithmeticProblem? problem)
    {
        problem = null;
        if (!prompt.EndsWith('=')) return false;
        var span = prompt.AsSpan(0, prompt.Length - 1);
        int pos = 0;
        var operands = new List<int>();
        var operators = new List<char>();
        if (!TryNumber(span, ref pos, out int first)) return false;
        operands.Add(first);
        while (pos < span.Length)
        {
            char op = span[pos++];
            if (op is not ('+' or '-' or '*')) return false;
            if (!TryNumber(span, ref pos, out int next)) return false;
            operators.Add(op);
            operands.Add(next);
        }
        if (operators.Count == 0) return false;
        problem = new ArithmeticProblem(operands, operators);
        return true;
    }

    private static bool TryNumber(ReadOnlySpan<char> s, ref int pos, out int value)
    {
        value = 0;
        int start = pos;
        bool negative = pos < s.Length && s[pos] == '-';
        if (negative) pos++;
        int digits = 0;
        long v = 0;
        while (pos < s.Length && char.IsAsciiDigit(s[pos]) && digits < 9)
        {
            v = v * 10 + (s[pos++] - '0');
            digits++;
        }
        if (digits == 0 || (pos < s.Length && char.IsAsciiDigit(s[pos])))
        {
            pos = start;
            return false;
        }
        value = (int)(negative ? -v : v);
        return true;
    }
}
