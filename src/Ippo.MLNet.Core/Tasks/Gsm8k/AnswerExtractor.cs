using System.Globalization;
using System.Text.RegularExpressions;

namespace Ippo.MLNet.Core.Tasks.Gsm8k;

/// <summary>Reads the final numeric answer from model output the usual ways: after the last "####", else the last number.</summary>
public static partial class AnswerExtractor
{
    [GeneratedRegex(@"-?\$?\d[\d,]*(\.\d+)?")]
    private static partial Regex NumberPattern();

    /// <summary>The answer as a normalised number string ("1,234.50" -> "1234.5"), or null when there is no number.</summary>
    public static string? Extract(string modelOutput)
    {
        ArgumentNullException.ThrowIfNull(modelOutput);
        int marker = modelOutput.LastIndexOf("####", StringComparison.Ordinal);
        var text = marker >= 0 ? modelOutput[(marker + 4)..] : modelOutput;
        var matches = NumberPattern().Matches(text);
        if (matches.Count == 0) return null;
        var match = marker >= 0 ? matches[0] : matches[^1];
        return Normalise(match.Value);
    }

    /// <summary>A number string without '$' and thousands separators, trailing zeros of decimals removed; null if not a number.</summary>
    public static string? Normalise(string number)
    {
        var cleaned = number.Replace("$", "").Replace(",", "").Trim().TrimEnd('.');
        return decimal.TryParse(cleaned, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
            ? value.ToString("0.############", CultureInfo.InvariantCulture)
            : null;
    }

    /// <summary>Numeric equality of a predicted answer and a reference ("72.0" equals "72", "1,000" equals "1000").</summary>
    public static bool Matches(string? predicted, string reference) =>
        predicted is not null && Normalise(predicted) is { } p && Normalise(reference) is { } r && p == r;
}
