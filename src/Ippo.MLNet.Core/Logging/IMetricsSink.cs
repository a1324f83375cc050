using Ippo.MLNet.Core.Ppo;

namespace Ippo.MLNet.Core.Logging;

/// <summary>
/// Where a trainer's measurements go: per-iteration metrics, SFT step losses, score histograms and text samples.
/// The built-in sinks are <see cref="TensorBoardMetricsSink"/> and <see cref="CsvMetricsSink"/>; implement this to send
/// them elsewhere and pass the instance in <see cref="MetricsLogOptions.Sinks"/>. Only <see cref="WriteIteration"/> and
/// Dispose are required; the other members do nothing unless implemented.
/// </summary>
public interface IMetricsSink : IDisposable
{
    /// <summary>Every metric of one PPO iteration, at step <see cref="PpoIterationMetrics.Iteration"/>.</summary>
    void WriteIteration(PpoIterationMetrics metrics);

    /// <summary>The loss of one SFT optimizer step (1-based <paramref name="step"/>) and the learning rate it used.</summary>
    void WriteSftStep(int step, double loss, double learningRate) { }

    /// <summary>A distribution of values at a step, such as the influence scores of one iteration's episodes.</summary>
    void WriteHistogram(string tag, int step, IReadOnlyList<double> values) { }

    /// <summary>A text (Markdown) at a step, such as sample completions.</summary>
    void WriteText(string tag, int step, string text) { }

    /// <summary>
    /// Called once, before the first new iteration of a run resumed from a checkpoint, with the iterations the
    /// checkpoint restored. A sink that starts its output afresh (the CSV file) writes them again; one that appends to
    /// files of the earlier run (TensorBoard) ignores them.
    /// </summary>
    void WriteRestoredHistory(IReadOnlyList<PpoIterationMetrics> history) { }
}
