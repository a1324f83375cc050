using Ippo.MLNet.Core.Ppo;
using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Logging;

/// <summary>
/// Metrics as TensorBoard event files, through TorchSharp's <c>torch.utils.tensorboard.SummaryWriter</c>: every finite
/// per-iteration metric as a scalar under its name (TRL's, see <see cref="MetricNames"/>), the SFT loss and learning
/// rate per step, histograms and text. Each event is written through to the file as it is added.
/// </summary>
public sealed class TensorBoardMetricsSink : IMetricsSink
{
    private readonly TorchSharp.Modules.SummaryWriter _writer;

    /// <summary>Writes a new event file into <paramref name="folder"/> (created if missing).</summary>
    public TensorBoardMetricsSink(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        Folder = Path.GetFullPath(folder);
        Directory.CreateDirectory(Folder);
        _writer = utils.tensorboard.SummaryWriter(Folder);
    }

    /// <summary>The full path of the log folder.</summary>
    public string Folder { get; }

    /// <summary>Non-finite values (a metric a judge-less run reports as NaN) are left out: TensorBoard cannot plot them.</summary>
    public void WriteIteration(PpoIterationMetrics metrics)
    {
        foreach (var (name, value) in metrics.Values)
            if (double.IsFinite(value)) _writer.add_scalar(name, (float)value, metrics.Iteration);
    }

    /// <inheritdoc />
    public void WriteSftStep(int step, double loss, double learningRate)
    {
        if (double.IsFinite(loss)) _writer.add_scalar(SftMetricNames.Loss, (float)loss, step);
        _writer.add_scalar(SftMetricNames.LearningRate, (float)learningRate, step);
    }

    /// <summary>Non-finite values are left out; nothing is written when none is left.</summary>
    public void WriteHistogram(string tag, int step, IReadOnlyList<double> values)
    {
        var finite = values.Where(double.IsFinite).ToArray();
        if (finite.Length == 0) return;
        using var scope = NewDisposeScope();
        _writer.add_histogram(tag, tensor(finite), step);
    }

    /// <inheritdoc />
    public void WriteText(string tag, int step, string text) => _writer.add_text(tag, text, step);

    /// <summary>Nothing to release: every event is already on disk.</summary>
    public void Dispose() { }
}
