using System.Diagnostics;
using System.Text.Json;
using Ippo.MLNet.Core.Evaluation;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Training;
using Ippo.MLNet.Core.Checkpoints;

namespace Ippo.MLNet.Core.Influence;

/// <summary>
/// I-PPO's episode filter: scores every episode of a rollout buffer against the validation gradient, drops those
/// at or below the threshold, reweights the rest, reports per-iteration diagnostics, and stops the run when the kept
/// fraction stays low (the paper's intrinsic early stopping, made explicit).
/// </summary>
public sealed class InfluenceFilter : IEpisodeFilter, IResumableFilter, IDisposable
{
    private readonly IReadOnlyList<TokenizedExample> _validation;
    private readonly ITaskJudge? _judge;
    private ValidationGradient? _gradient;
    private int _sinceRecompute;
    private int _lowStreak;

    /// <summary>
    /// A filter comparing episodes with <paramref name="validation"/> (gold traces tokenized with the policy's tokenizer).
    /// <paramref name="judge"/>, when given, labels episodes for the kept-correct and kept-faithful diagnostics.
    /// </summary>
    public InfluenceFilter(IReadOnlyList<TokenizedExample> validation, InfluenceFilterOptions? options = null, ITaskJudge? judge = null)
    {
        if (validation is null || validation.Count == 0)
            throw new ArgumentException("The validation set is empty: influence needs gold traces to compare episodes against.", nameof(validation));
        if (validation.FirstOrDefault(e => e.Completion.Length == 0) is { } empty)
            throw new ArgumentException($"Validation trace {validation.ToList().IndexOf(empty)} has an empty completion.", nameof(validation));
        _validation = validation;
        Options = (options ?? new InfluenceFilterOptions()).Validate();
        _judge = judge;
    }

    /// <summary>The options, validated.</summary>
    public InfluenceFilterOptions Options { get; }

    /// <inheritdoc />
    public string? StopReason { get; private set; }

    /// <summary>The episodes of the last buffer with their scores, decisions and labels.</summary>
    public IReadOnlyList<ScoredEpisode> LastEpisodes { get; private set; } = Array.Empty<ScoredEpisode>();

    /// <inheritdoc />
    public EpisodeSelection Select(RolloutBuffer buffer, PpoTrainer trainer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        ArgumentNullException.ThrowIfNull(trainer);
        // LoRA scores the adapters alone unless the options ask for every parameter (small models).
        using var allParameters = IncludeBase(trainer.Policy);
        int iteration = trainer.IterationsDone + 1;
        var metrics = new Dictionary<string, double>();
        var clock = Stopwatch.StartNew();
        if (_gradient is null || _sinceRecompute >= Options.RecomputeValidationEvery)
        {
            _gradient?.Dispose();
            _gradient = ValidationGradient.Compute(trainer.Policy, _validation, trainer.PolicyWithTokenizer.Tokenizer.PadId, Options.ValidationBatchSize);
            _sinceRecompute = 0;
        }
        _sinceRecompute++;
        metrics[MetricNames.ValidationGradientSeconds] = clock.Elapsed.TotalSeconds;
        clock.Restart();

        var pass = InfluenceScoring.Capture(trainer.Policy, EpisodeBatch.From(buffer), EpisodeLossSettings.From(trainer.Options, trainer.ResolvedMaxNewTokens));
        double[] scores;
        try
        {
            scores = pass.Gradients.Scores(_gradient, Options.Normalization, buffer.Count);
        }
        catch
        {
            pass.Dispose();
            throw;
        }
        int aboveThreshold = scores.Count(s => s > Options.Threshold);
        var decision = InfluenceSelection.Apply(scores, Options, new Random(IterationSeeds.For(Options.Seed, iteration, IterationSeeds.Filter)));
        metrics[MetricNames.InfluenceSeconds] = clock.Elapsed.TotalSeconds;

        Record(buffer, scores, decision, metrics);
        UpdateStopRule(iteration, aboveThreshold / (double)buffer.Count, aboveThreshold, metrics);

        bool fuse = Options.FuseFirstUpdateStep && decision.Kept.Count > 0;
        if (!fuse) pass.Dispose();
        return new EpisodeSelection(decision.Kept, decision.Weights, metrics) { ScoringPass = fuse ? pass : null };
    }

    private void Record(RolloutBuffer buffer, double[] scores, InfluenceDecision decision, Dictionary<string, double> metrics)
    {
        var weights = new double[scores.Length];
        for (int k = 0; k < decision.Kept.Count; k++) weights[decision.Kept[k]] = decision.Weights?[k] ?? 1.0;
        var kept = decision.Kept.ToHashSet();
        LastEpisodes = buffer.Episodes.Select((e, i) => new ScoredEpisode(e, scores[i], kept.Contains(i), weights[i],
            _judge?.Label(e.Prompt, e.Completion, e.Reference))
        {
            Correct = _judge is null ? null : IsCorrect(_judge, e),
        }).ToList();

        double mean = scores.Average();
        metrics[MetricNames.ScoreMean] = mean;
        metrics[MetricNames.ScoreStd] = Math.Sqrt(scores.Average(s => (s - mean) * (s - mean)));
        metrics[MetricNames.ScoreMin] = scores.Min();
        metrics[MetricNames.ScoreMax] = scores.Max();
        if (_judge is null) return;
        // As in PolicyEvaluator: correct = the judge's extracted answer equals its true answer (labels not needed);
        // the step metrics are NaN unless the judge labels every episode (a null label means "no step checker").
        static bool Correct(ScoredEpisode e) => e.Correct == true;
        var keptEpisodes = LastEpisodes.Where(e => e.Kept).ToList();
        bool labelled = LastEpisodes.All(e => e.Label is not null);
        metrics[MetricNames.CorrectFraction] = LastEpisodes.Count(Correct) / (double)LastEpisodes.Count;
        metrics[MetricNames.KeptCorrectFraction] = keptEpisodes.Count == 0 ? double.NaN : keptEpisodes.Count(Correct) / (double)keptEpisodes.Count;
        metrics[MetricNames.KeptFaithfulFraction] = keptEpisodes.Count == 0 || !labelled ? double.NaN : keptEpisodes.Count(e => e.Label == TraceLabel.CorrectFaithful) / (double)keptEpisodes.Count;
        metrics[MetricNames.ScoreMeanFaithful] = labelled ? MeanOrNaN(LastEpisodes.Where(e => e.Label == TraceLabel.CorrectFaithful)) : double.NaN;
        metrics[MetricNames.ScoreMeanUnfaithful] = labelled ? MeanOrNaN(LastEpisodes.Where(e => e.Label == TraceLabel.CorrectUnfaithful)) : double.NaN;
    }

    private static bool IsCorrect(ITaskJudge judge, Episode e) =>
        judge.ExtractAnswer(e.Completion) is { } answer && answer == judge.TrueAnswer(e.Prompt, e.Reference);

    private void UpdateStopRule(int iteration, double keptFraction, int keptCount, Dictionary<string, double> metrics)
    {
        if (Options.Rule == InfluenceRule.KeepAll)
        {
            metrics[MetricNames.EarlyStop] = 0;
            return;
        }
        _lowStreak = keptFraction < Options.MinKeptFraction ? _lowStreak + 1 : 0;
        if (keptCount == 0)
            StopReason = $"Early stop at iteration {iteration}: no episode scored above the threshold {Options.Threshold}.";
        else if (Options.MinKeptFraction > 0 && _lowStreak >= Options.Patience)
            StopReason = $"Early stop at iteration {iteration}: the kept fraction stayed below {Options.MinKeptFraction} for {Options.Patience} iterations (last {keptFraction:F3}).";
        metrics[MetricNames.EarlyStop] = StopReason is null ? 0 : 1;
    }

    /// <summary>File of the filter's counters inside a trainer checkpoint.</summary>
    public const string StateFile = "influence_filter.json";

    /// <summary>File of the cached validation gradient inside a trainer checkpoint.</summary>
    public const string GradientFile = "validation_gradient.safetensors";

    private sealed record State(int SinceRecompute, int LowStreak, string? StopReason, bool HasGradient);

    /// <inheritdoc />
    public void WriteState(string folder)
    {
        File.WriteAllText(Path.Combine(folder, StateFile), JsonSerializer.Serialize(new State(_sinceRecompute, _lowStreak, StopReason, _gradient is not null), CheckpointJson.Options));
        _gradient?.Save(Path.Combine(folder, GradientFile));
    }

    /// <inheritdoc />
    public void ReadState(string folder, CausalLanguageModel policy)
    {
        var path = Path.Combine(folder, StateFile);
        if (!File.Exists(path)) throw new InvalidDataException($"The checkpoint in '{folder}' has no influence filter state '{StateFile}': it was written without an influence filter.");
        State state;
        try
        {
            state = JsonSerializer.Deserialize<State>(File.ReadAllText(path), CheckpointJson.Options) ?? throw new JsonException("empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not a valid influence filter state: {e.Message}", e);
        }
        using var allParameters = IncludeBase(policy);
        var gradient = state.HasGradient ? ValidationGradient.Load(Path.Combine(folder, GradientFile), policy) : null;
        _gradient?.Dispose();
        _gradient = gradient;
        _sinceRecompute = state.SinceRecompute;
        _lowStreak = state.LowStreak;
        StopReason = state.StopReason;
    }

    private static IDisposable? IncludeBase(CausalLanguageModel policy) =>
        policy.Lora is { Options.InfluenceOverAllParameters: true } lora ? lora.IncludeBaseInGradients() : null;

    private static double MeanOrNaN(IEnumerable<ScoredEpisode> episodes)
    {
        var list = episodes.ToList();
        return list.Count == 0 ? double.NaN : list.Average(e => e.Score);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _gradient?.Dispose();
        _gradient = null;
    }
}
