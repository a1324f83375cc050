using System.Globalization;
using System.Text.RegularExpressions;

namespace Ippo.MLNet.Core.Rewards;

/// <summary>A numeric-answer reward: the last number in the completion against the reference, within a tolerance.</summary>
public static partial class NumericReward
{
    [GeneratedRegex(@"[-+]?(?:\d[\d,]*(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?", RegexOptions.CultureInvariant)]
    private static partial Regex Number();

    /// <summary>
    /// The last number written in <paramref name="text"/> (invariant culture: '.' decimal point, ',' thousands
    /// separators dropped, optional sign and exponent), or null when there is none.
    /// </summary>
    public static double? LastNumber(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var matches = Number().Matches(text);
        for (int i = matches.Count - 1; i >= 0; i--)
            if (double.TryParse(matches[i].Value.Replace(",", ""), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
                return value;
        return null;
    }

    /// <summary>
    /// <paramref name="correct"/> when the last number of the completion is within <paramref name="tolerance"/> of the
    /// reference's number (|answer - reference| &lt;= tolerance, default 1e-6; range [0, 1e300]), <paramref name="wrong"/>
    /// for another number, <paramref name="noNumber"/> when the completion writes none. The reference is
    /// <see cref="RewardInput.Reference"/> (its last number), or <paramref name="truth"/>(prompt) when the row has none.
    /// </summary>
    public static RewardFunction Create(double tolerance = 1e-6, Func<string, double>? truth = null,
        double correct = 1.0, double wrong = 0.0, double noNumber = 0.0)
    {
        if (!(tolerance >= 0 && tolerance <= 1e300)) throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, $"NumericReward's tolerance must be in [0, 1e300]; got {tolerance}.");
        foreach (var (name, value) in new[] { (nameof(correct), correct), (nameof(wrong), wrong), (nameof(noNumber), noNumber) })
            if (!double.IsFinite(value)) throw new ArgumentOutOfRangeException(name, value, $"NumericReward's {name} reward must be finite.");
        return input =>
        {
            double expected = input.Reference is { } reference
                ? LastNumber(reference) ?? throw new InvalidOperationException($"NumericReward: the reference \"{reference}\" of prompt \"{input.Prompt}\" holds no number.")
                : truth?.Invoke(input.Prompt) ?? throw new InvalidOperationException($"NumericReward has no expected answer for prompt \"{input.Prompt}\": the row has no reference and no truth function was given.");
            return LastNumber(input.Completion) is { } answer ? (Math.Abs(answer - expected) <= tolerance ? correct : wrong) : noNumber;
        };
    }
}
