using System.Globalization;
using System.Text;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Checkpoints;

namespace Ippo.MLNet.Core.Logging;

/// <summary>
/// Metrics as CSV for pandas and spreadsheets: one row per iteration (or SFT step), a first column with its number and
/// one column per metric in the order they first appeared; a metric a row lacks is an empty cell. Numbers are invariant
/// and parse back to the same double (<see cref="RoundTripFloatConverter{T}.Format"/>). The file is replaced when the sink opens, each
/// row is flushed as it is written, and the whole file is rewritten when a new metric appears.
/// </summary>
public sealed class CsvMetricsSink : IMetricsSink
{
    /// <summary>Name of the first column of a PPO log.</summary>
    public const string IterationColumn = "iteration";

    /// <summary>Name of the first column of an SFT log.</summary>
    public const string StepColumn = "step";

    private readonly List<(int Index, IReadOnlyDictionary<string, double> Values)> _rows = new();
    private readonly List<string> _columns = new();
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);
    private StreamWriter _writer;

    /// <summary>Creates (or replaces) <paramref name="path"/>, its folder included; its first column is <paramref name="indexColumn"/>.</summary>
    public CsvMetricsSink(string path, string indexColumn = IterationColumn)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentException.ThrowIfNullOrWhiteSpace(indexColumn);
        FilePath = Path.GetFullPath(path);
        IndexColumn = indexColumn;
        if (Path.GetDirectoryName(FilePath) is { Length: > 0 } folder) Directory.CreateDirectory(folder);
        _writer = Rewrite();
    }

    /// <summary>The full path of the CSV file.</summary>
    public string FilePath { get; }

    /// <summary>Name of the first column.</summary>
    public string IndexColumn { get; }

    /// <inheritdoc />
    public void WriteIteration(PpoIterationMetrics metrics) => Add(metrics.Iteration, metrics.Values);

    /// <inheritdoc />
    public void WriteSftStep(int step, double loss, double learningRate) =>
        Add(step, new Dictionary<string, double> { [SftMetricNames.Loss] = loss, [SftMetricNames.LearningRate] = learningRate });

    /// <inheritdoc />
    public void WriteRestoredHistory(IReadOnlyList<PpoIterationMetrics> history)
    {
        foreach (var metrics in history) WriteIteration(metrics);
    }

    private void Add(int index, IReadOnlyDictionary<string, double> values)
    {
        _rows.Add((index, new Dictionary<string, double>(values)));
        bool newColumns = false;
        foreach (var name in values.Keys)
            if (_known.Add(name))
            {
                _columns.Add(name);
                newColumns = true;
            }
        if (newColumns)
        {
            _writer.Dispose();
            _writer = Rewrite();
        }
        else
        {
            WriteRow(_writer, _rows[^1]);
            _writer.Flush();
        }
    }

    private StreamWriter Rewrite()
    {
        var writer = new StreamWriter(FilePath, append: false, new UTF8Encoding(false)) { NewLine = "\n" };
        writer.WriteLine(string.Join(',', new[] { IndexColumn }.Concat(_columns).Select(Quote)));
        foreach (var row in _rows) WriteRow(writer, row);
        writer.Flush();
        return writer;
    }

    private void WriteRow(StreamWriter writer, (int Index, IReadOnlyDictionary<string, double> Values) row)
    {
        var line = new StringBuilder(row.Index.ToString(CultureInfo.InvariantCulture));
        foreach (var column in _columns)
        {
            line.Append(',');
            if (row.Values.TryGetValue(column, out var value)) line.Append(RoundTripFloatConverter<double>.Format(value));
        }
        writer.WriteLine(line.ToString());
    }

    private static string Quote(string name) =>
        name.IndexOfAny(new[] { ',', '"', '\n', '\r' }) < 0 ? name : "\"" + name.Replace("\"", "\"\"") + "\"";

    /// <summary>Flushes and closes the file.</summary>
    public void Dispose() => _writer.Dispose();
}
