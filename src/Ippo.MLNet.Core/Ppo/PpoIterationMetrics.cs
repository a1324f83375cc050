namespace Ippo.MLNet.Core.Ppo;

/// <summary>What one PPO iteration measured, keyed by <see cref="MetricNames"/> (and any filter's own names).</summary>
/// <param name="Iteration">1-based iteration number.</param>
/// <param name="Values">Metric name to value.</param>
public sealed record PpoIterationMetrics(int Iteration, IReadOnlyDictionary<string, double> Values)
{
    /// <summary>The value of metric <paramref name="name"/>; NaN when this iteration did not record it.</summary>
    public double this[string name] => Values.TryGetValue(name, out var v) ? v : double.NaN;
}
