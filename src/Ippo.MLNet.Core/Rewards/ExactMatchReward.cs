namespace Ippo.MLNet.Core.Rewards;

/// <summary>A verifiable reward: the completion against the reference answer, as a string.</summary>
public static class ExactMatchReward
{
    /// <summary>
    /// <paramref name="correct"/> when the completion equals the expected answer, else <paramref name="wrong"/>. The
    /// expected answer is <see cref="RewardInput.Reference"/>, or <paramref name="truth"/>(prompt) when the row has
    /// none (a row with neither is an error). With <paramref name="trim"/> both sides lose leading and trailing white
    /// space first.
    /// </summary>
    public static RewardFunction Create(Func<string, string>? truth = null, bool trim = true, double correct = 1.0, double wrong = 0.0)
    {
        if (!double.IsFinite(correct)) throw new ArgumentOutOfRangeException(nameof(correct), correct, "ExactMatchReward's correct reward must be finite.");
        if (!double.IsFinite(wrong)) throw new ArgumentOutOfRangeException(nameof(wrong), wrong, "ExactMatchReward's wrong reward must be finite.");
        return input =>
        {
            var expected = input.Reference ?? truth?.Invoke(input.Prompt)
                ?? throw new InvalidOperationException($"ExactMatchReward has no expected answer for prompt \"{input.Prompt}\": the row has no reference and no truth function was given.");
            var completion = trim ? input.Completion.Trim() : input.Completion;
            if (trim) expected = expected.Trim();
            return string.Equals(completion, expected, StringComparison.Ordinal) ? correct : wrong;
        };
    }
}
