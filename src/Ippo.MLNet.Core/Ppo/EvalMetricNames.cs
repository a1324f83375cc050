using Ippo.MLNet.Core.Evaluation;

namespace Ippo.MLNet.Core.Ppo;

/// <summary>Names of the held-out metrics that <see cref="PeriodicEvaluationOptions"/> adds to an iteration's metrics.</summary>
public static class EvalMetricNames
{
    /// <summary><see cref="PolicyMetrics.Accuracy"/>: exact match of sampled completions.</summary>
    public const string Accuracy = "eval/accuracy";
    /// <summary><see cref="PolicyMetrics.GreedyAccuracy"/> (when greedy decoding is on).</summary>
    public const string GreedyAccuracy = "eval/greedy_accuracy";
    /// <summary><see cref="PolicyMetrics.MajorityVote"/>.</summary>
    public const string MajorityVote = "eval/majority_vote";
    /// <summary><see cref="PolicyMetrics.PassAtK"/>.</summary>
    public const string PassAtK = "eval/pass_at_k";
    /// <summary><see cref="PolicyMetrics.FaithfulAccuracy"/> (NaN without a step checker).</summary>
    public const string FaithfulAccuracy = "eval/faithful_accuracy";
    /// <summary><see cref="PolicyMetrics.UnfaithfulRate"/> (NaN without a step checker).</summary>
    public const string UnfaithfulRate = "eval/unfaithful_rate";
    /// <summary><see cref="PolicyMetrics.MalformedRate"/>.</summary>
    public const string MalformedRate = "eval/malformed_rate";
    /// <summary>Seconds the evaluation took.</summary>
    public const string Seconds = "time/eval";

    /// <summary>The metrics of <paramref name="m"/> under these names (greedy accuracy only when it was measured).</summary>
    public static IReadOnlyDictionary<string, double> Of(PolicyMetrics m)
    {
        ArgumentNullException.ThrowIfNull(m);
        var values = new Dictionary<string, double>
        {
            [Accuracy] = m.Accuracy, [MajorityVote] = m.MajorityVote, [PassAtK] = m.PassAtK,
            [FaithfulAccuracy] = m.FaithfulAccuracy, [UnfaithfulRate] = m.UnfaithfulRate, [MalformedRate] = m.MalformedRate,
        };
        if (!double.IsNaN(m.GreedyAccuracy)) values[GreedyAccuracy] = m.GreedyAccuracy;
        return values;
    }
}
