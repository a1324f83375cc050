using Ippo.MLNet.Core.Rewards;

namespace Ippo.MLNet.Core.Tasks.Gsm8k;

/// <summary>The answer-match reward for GSM8K.</summary>
public static class Gsm8kReward
{
    /// <summary>
    /// <paramref name="correct"/> when the extracted answer equals <see cref="RewardInput.Reference"/> numerically, else
    /// <paramref name="wrong"/>; plus <paramref name="missingEos"/> without EOS. Throws when the reference is missing.
    /// </summary>
    public static RewardFunction Create(double correct = 1.0, double wrong = 0.0, double missingEos = -0.5) => input =>
    {
        var reference = input.Reference
            ?? throw new ArgumentException("The GSM8K reward needs the reference answer: set the answer column (PpoTrainerOptions.AnswerColumnName).");
        double reward = AnswerExtractor.Matches(AnswerExtractor.Extract(input.Completion), reference) ? correct : wrong;
        return input.EndedWithEos ? reward : reward + missingEos;
    };
}
