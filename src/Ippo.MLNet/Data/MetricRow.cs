namespace Ippo.MLNet;

/// <summary>One metric of one training iteration: the long format of a training history, ready to filter and plot.</summary>
public sealed class MetricRow
{
    /// <summary>Iteration, from 1.</summary>
    public int Iteration { get; set; }

    /// <summary>Metric name (see <c>MetricNames</c>), e.g. "buffer/kept_fraction".</summary>
    public string Metric { get; set; } = "";

    /// <summary>Its value.</summary>
    public double Value { get; set; }
}
