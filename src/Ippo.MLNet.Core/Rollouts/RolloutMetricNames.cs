namespace Ippo.MLNet.Core.Rollouts;

/// <summary>Metrics of the rollout engine, in TRL's names (its vLLM importance-sampling metrics).</summary>
public static class RolloutMetricNames
{
    /// <summary>Mean over response tokens of |trainer old log-prob - engine log-prob|.</summary>
    public const string LogProbDifferenceMean = "sampling/sampling_logp_difference/mean";

    /// <summary>Max over response tokens of |trainer old log-prob - engine log-prob|.</summary>
    public const string LogProbDifferenceMax = "sampling/sampling_logp_difference/max";

    /// <summary>Min over response tokens of the truncated importance weight (only with the correction on).</summary>
    public const string ImportanceRatioMin = "sampling/importance_sampling_ratio/min";

    /// <summary>Mean over response tokens of the truncated importance weight (only with the correction on).</summary>
    public const string ImportanceRatioMean = "sampling/importance_sampling_ratio/mean";

    /// <summary>Max over response tokens of the truncated importance weight (only with the correction on).</summary>
    public const string ImportanceRatioMax = "sampling/importance_sampling_ratio/max";

    /// <summary>Seconds spent making the engine sample from the current weights (writing and loading an adapter).</summary>
    public const string WeightSyncSeconds = "time/weight_sync";
}
