using Ippo.MLNet.Core.Evaluation;
using Ippo.MLNet.Core.Rewards;

namespace Ippo.MLNet.Core.Tasks.Arithmetic;

/// <summary>The verifiable reward of the built-in task.</summary>
public static class ArithmeticReward
{
    /// <summary>
    /// <paramref name="correct"/> for the right final answer, <paramref name="wrong"/> for a readable wrong one,
    /// <paramref name="malformed"/> for text that does not follow the grammar; plus <paramref name="missingEos"/> when
    /// the episode ran out of tokens without EOS. The true answer is <see cref="RewardInput.Reference"/> when given
    /// (an integer), else computed from the prompt. Only the answer is rewarded, never the steps: that is the point of
    /// the experiment.
    /// </summary>
    public static RewardFunction Create(double correct = 1.0, double wrong = 0.0, double malformed = -0.1, double missingEos = -0.5) => input =>
    {
        var check = ArithmeticChecker.Check(input.Prompt, input.Completion);
        int truth = input.Reference is { } r && int.TryParse(r, out var parsed) ? parsed : ArithmeticJudge.Solve(input.Prompt);
        double reward = check.Label == TraceLabel.Malformed && check.FinalAnswer is null ? malformed
            : check.FinalAnswer == truth ? correct
            : wrong;
        return input.EndedWithEos ? reward : reward + missingEos;
    };
}
