using Ippo.MLNet.Core.Influence;
using Ippo.MLNet.Core.Ppo;

namespace Ippo.MLNet.Core.Logging;

/// <summary>
/// A trainer's fan-out to the sinks of its <see cref="MetricsLogOptions"/>: opens the built-in ones, turns an
/// iteration into scalars, an influence-score histogram and sample texts, and closes what it opened.
/// </summary>
public sealed class MetricsLog : IDisposable
{
    /// <summary>Tag of the histogram of every episode's influence score, per iteration.</summary>
    public const string InfluenceScoresTag = "influence/scores";

    /// <summary>Tag of the sample completions text.</summary>
    public const string SamplesTag = "samples/completions";

    private readonly MetricsLogOptions _options;
    private readonly List<IMetricsSink> _owned = new();
    private IReadOnlyList<Episode> _episodes = Array.Empty<Episode>();
    private bool _started;

    private MetricsLog(MetricsLogOptions options, string indexColumn)
    {
        _options = options.Validate();
        if (options.TensorBoardFolder is { } folder) _owned.Add(new TensorBoardMetricsSink(folder));
        if (options.CsvFile is { } file) _owned.Add(new CsvMetricsSink(file, indexColumn));
        Sinks = _owned.Concat(options.Sinks).ToList();
    }

    /// <summary>Opens the sinks of <paramref name="options"/>; null when it configures none.</summary>
    /// <param name="options">The trainer's logging options (null: none).</param>
    /// <param name="indexColumn">First column of the CSV file: <see cref="CsvMetricsSink.IterationColumn"/> or <see cref="CsvMetricsSink.StepColumn"/>.</param>
    public static MetricsLog? Open(MetricsLogOptions? options, string indexColumn = CsvMetricsSink.IterationColumn) =>
        options is { Enabled: true } ? new MetricsLog(options, indexColumn) : null;

    /// <summary>The built-in sinks followed by the caller's.</summary>
    public IReadOnlyList<IMetricsSink> Sinks { get; }

    /// <summary>Keeps the episodes of the iteration in progress, for its sample texts.</summary>
    public void Rollout(IReadOnlyList<Episode> episodes) => _episodes = episodes;

    /// <summary>
    /// Writes one finished iteration: its metrics, the histogram of the influence scores when <paramref name="filter"/>
    /// is an <see cref="InfluenceFilter"/> that scored this iteration's buffer, and sample completions every
    /// <see cref="MetricsLogOptions.SamplesEvery"/> iterations. The first call of a resumed run first hands the
    /// restored iterations of <paramref name="history"/> to <see cref="IMetricsSink.WriteRestoredHistory"/>.
    /// </summary>
    public void Iteration(PpoIterationMetrics metrics, IEpisodeFilter? filter, IReadOnlyList<PpoIterationMetrics> history)
    {
        if (!_started)
        {
            _started = true;
            var restored = history.Where(h => h.Iteration < metrics.Iteration).ToList();
            if (restored.Count > 0) Each(s => s.WriteRestoredHistory(restored));
        }
        Each(s => s.WriteIteration(metrics));
        // The filter keeps its last buffer's scores; they belong to this iteration only if they hold its very episodes.
        var scoredEpisodes = filter is InfluenceFilter influence && _episodes.Count > 0 && influence.LastEpisodes.Count == _episodes.Count
            && ReferenceEquals(influence.LastEpisodes[0].Episode, _episodes[0]) ? influence.LastEpisodes : null;
        if (scoredEpisodes is not null)
        {
            var scores = scoredEpisodes.Select(e => e.Score).ToList();
            Each(s => s.WriteHistogram(InfluenceScoresTag, metrics.Iteration, scores));
        }
        if (_options.SampleCount > 0 && _episodes.Count > 0 && (metrics.Iteration == 1 || metrics.Iteration % _options.SamplesEvery == 0))
        {
            var text = SampleText.Table(_episodes.Take(_options.SampleCount).ToList(), scoredEpisodes);
            Each(s => s.WriteText(SamplesTag, metrics.Iteration, text));
        }
    }

    /// <summary>Writes one SFT step.</summary>
    public void SftStep(int step, double loss, double learningRate) => Each(s => s.WriteSftStep(step, loss, learningRate));

    private void Each(Action<IMetricsSink> write)
    {
        foreach (var sink in Sinks) write(sink);
    }

    /// <summary>Closes the built-in sinks; the caller's stay open.</summary>
    public void Dispose()
    {
        foreach (var sink in _owned) sink.Dispose();
    }
}
