namespace Ippo.MLNet.Core.Logging;

/// <summary>
/// Where a trainer logs its metrics besides its history: a TensorBoard folder, a CSV file, and sinks of your own.
/// All off by default. <see cref="Validate"/> checks every field before training starts.
/// </summary>
public sealed record MetricsLogOptions
{
    /// <summary>
    /// Folder for TensorBoard event files (created if missing; view with <c>tensorboard --logdir</c> on it or a parent).
    /// Default null: no TensorBoard output.
    /// </summary>
    public string? TensorBoardFolder { get; init; }

    /// <summary>
    /// CSV file with one row per iteration (PPO) or step (SFT) and one column per metric, invariant culture, values
    /// that parse back to the same double; replaced when training starts. Default null: no CSV.
    /// </summary>
    public string? CsvFile { get; init; }

    /// <summary>Write sample completions as text every this many iterations (and at the first). Default 10; range [1, 1,000,000].</summary>
    public int SamplesEvery { get; init; } = 10;

    /// <summary>
    /// SFT writes the loss and learning rate of every this many steps (each written step's own values, and always the
    /// last step). Each TensorBoard event costs a file open and close (TorchSharp's SummaryWriter), a few milliseconds
    /// where a small model's step takes tens. Default 1 (every step); range [1, 1,000,000]. PPO iterations are all written.
    /// </summary>
    public int SftStepEvery { get; init; } = 1;

    /// <summary>Completions per text sample; 0 writes none. Default 4; range [0, 1000].</summary>
    public int SampleCount { get; init; } = 4;

    /// <summary>Extra sinks, written after the built-in ones; owned by the caller (never disposed by the trainer). Default none.</summary>
    public IReadOnlyList<IMetricsSink> Sinks { get; init; } = Array.Empty<IMetricsSink>();

    /// <summary>True when any output is configured.</summary>
    public bool Enabled => TensorBoardFolder is not null || CsvFile is not null || Sinks.Count > 0;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first field out of range, prefixed with <paramref name="owner"/>.</summary>
    public MetricsLogOptions Validate(string owner = nameof(MetricsLogOptions))
    {
        if (TensorBoardFolder is { } folder && string.IsNullOrWhiteSpace(folder))
            throw new ArgumentOutOfRangeException(nameof(TensorBoardFolder), folder, $"{owner}.{nameof(TensorBoardFolder)} must be a folder path or null; got \"{folder}\".");
        if (CsvFile is { } file && (string.IsNullOrWhiteSpace(file) || Directory.Exists(file)))
            throw new ArgumentOutOfRangeException(nameof(CsvFile), file, $"{owner}.{nameof(CsvFile)} must be a file path (not a folder) or null; got \"{file}\".");
        if (SamplesEvery < 1 || SamplesEvery > 1_000_000)
            throw new ArgumentOutOfRangeException(nameof(SamplesEvery), SamplesEvery, $"{owner}.{nameof(SamplesEvery)} must be in [1, 1000000]; got {SamplesEvery}.");
        if (SftStepEvery < 1 || SftStepEvery > 1_000_000)
            throw new ArgumentOutOfRangeException(nameof(SftStepEvery), SftStepEvery, $"{owner}.{nameof(SftStepEvery)} must be in [1, 1000000]; got {SftStepEvery}.");
        if (SampleCount < 0 || SampleCount > 1000)
            throw new ArgumentOutOfRangeException(nameof(SampleCount), SampleCount, $"{owner}.{nameof(SampleCount)} must be in [0, 1000]; got {SampleCount}.");
        if (Sinks is null || Sinks.Any(s => s is null))
            throw new ArgumentOutOfRangeException(nameof(Sinks), Sinks, $"{owner}.{nameof(Sinks)} must be a list without null entries.");
        return this;
    }
}
