using System.Text.RegularExpressions;

namespace Ippo.MLNet.Core.Rewards;

/// <summary>A format reward (TRL's format_reward): whether the completion matches a regular expression.</summary>
public static class RegexReward
{
    /// <summary>
    /// <paramref name="match"/> when <paramref name="pattern"/> matches the completion, else <paramref name="noMatch"/>.
    /// With <paramref name="fullMatch"/> (default) the whole completion must match (the pattern is anchored with
    /// <c>\A(?:...)\z</c>); without, any occurrence counts. Matching runs with a one-second timeout.
    /// </summary>
    public static RewardFunction Create(string pattern, bool fullMatch = true, double match = 1.0, double noMatch = 0.0,
        RegexOptions options = RegexOptions.None)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        if (!double.IsFinite(match)) throw new ArgumentOutOfRangeException(nameof(match), match, "RegexReward's match reward must be finite.");
        if (!double.IsFinite(noMatch)) throw new ArgumentOutOfRangeException(nameof(noMatch), noMatch, "RegexReward's no-match reward must be finite.");
        var regex = new Regex(fullMatch ? $@"\A(?:{pattern})\z" : pattern, options | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        return input => regex.IsMatch(input.Completion) ? match : noMatch;
    }
}
