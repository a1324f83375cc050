using System.Globalization;

namespace Ippo.MLNet.Core.Tasks.Gsm8k;

/// <summary>
/// A small recursive-descent evaluator for calculator annotations: decimal numbers (commas and '$' ignored),
/// + - * / and // (floor division, as the Python calculator behind GSM8K's annotations reads it), parentheses,
/// unary minus, usual precedence. Never executes anything else.
/// </summary>
public static class ArithmeticExpression
{
    /// <summary>The value of <paramref name="expression"/>, or null when it does not parse or divides by zero.</summary>
    public static decimal? TryEvaluate(string expression)
    {
        var text = expression.Replace(",", "").Replace("$", "").Replace(" ", "");
        int pos = 0;
        try
        {
            var value = Sum(text, ref pos);
            return pos == text.Length ? value : null;
        }
        catch (Exception e) when (e is DivideByZeroException or OverflowException or FormatException)
        {
            return null;
        }
    }

    private static decimal Sum(string s, ref int pos)
    {
        var value = Product(s, ref pos);
        while (pos < s.Length && (s[pos] == '+' || s[pos] == '-'))
        {
            char op = s[pos++];
            var right = Product(s, ref pos);
            value = op == '+' ? value + right : value - right;
        }
        return value;
    }

    private static decimal Product(string s, ref int pos)
    {
        var value = Unary(s, ref pos);
        while (pos < s.Length && (s[pos] == '*' || s[pos] == '/'))
        {
            char op = s[pos++];
            bool floor = op == '/' && pos < s.Length && s[pos] == '/';
            if (floor) pos++;
            var right = Unary(s, ref pos);
            value = op == '*' ? value * right : floor ? Math.Floor(value / right) : value / right;
        }
        return value;
    }

    private static decimal Unary(string s, ref int pos)
    {
        if (pos < s.Length && s[pos] == '-') { pos++; return -Unary(s, ref pos); }
        if (pos < s.Length && s[pos] == '+') { pos++; return Unary(s, ref pos); }
        if (pos < s.Length && s[pos] == '(')
        {
            pos++;
            var inner = Sum(s, ref pos);
            if (pos >= s.Length || s[pos] != ')') throw new FormatException("unbalanced parenthesis");
            pos++;
            return inner;
        }
        int start = pos;
        while (pos < s.Length && (char.IsAsciiDigit(s[pos]) || s[pos] == '.')) pos++;
        if (pos == start) throw new FormatException("number expected");
        return decimal.Parse(s.AsSpan(start, pos - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
    }
}
