using Ippo.MLNet.Core.Influence;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet;

/// <summary>
/// Scores a view of episodes against the validation gradient it was fitted with, adds score, weight and kept columns,
/// and (by default) drops the rejected rows. Identical episodes (same prompt, completion and advantage) get one
/// decision. It holds one buffer's analysis, so it is not saved with a model.
/// </summary>
public sealed class InfluenceFilterTransformer : ITransformer, IDisposable
{
    private readonly MLContext _mlContext;
    private readonly ValidationGradient _gradient;
    private readonly Random _random;

    internal InfluenceFilterTransformer(MLContext mlContext, InfluenceFilterEstimatorOptions options, ValidationGradient gradient)
    {
        _mlContext = mlContext;
        Options = options;
        _gradient = gradient;
        _random = new Random(options.Filter.Seed);
    }

    /// <summary>The options it was fitted with.</summary>
    public InfluenceFilterEstimatorOptions Options { get; }

    /// <summary>|g_val| at the fitted parameters.</summary>
    public double ValidationGradientNorm => _gradient.Norm;

    /// <inheritdoc />
    public bool IsRowToRowMapper => false;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) =>
        Mapping(new Dictionary<(string, string, float), InfluenceRow>()).Fit(KeyView()).GetOutputSchema(inputSchema);

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) =>
        throw new NotSupportedException("The influence filter scores a whole buffer at once; it has no row-to-row mapper.");

    /// <inheritdoc />
    public void Save(ModelSaveContext ctx) =>
        throw new NotSupportedException("The influence filter holds one buffer's scores and is not saved; save the policy (mlContext.Ippo().SaveModel) and refit the filter.");

    /// <summary>The influence score of each row of <paramref name="episodes"/>, in row order.</summary>
    public double[] Score(IDataView episodes) => Score(ReadColumns(episodes));

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        var columns = ReadColumns(input);
        var scores = Score(columns);
        var decision = InfluenceSelection.Apply(scores, Options.Filter, _random);
        var weights = new float[scores.Length];
        for (int k = 0; k < decision.Kept.Count; k++) weights[decision.Kept[k]] = decision.Weights?[k] ?? 1f;

        var lookup = new Dictionary<(string, string, float), InfluenceRow>();
        for (int i = 0; i < scores.Length; i++)
            lookup.TryAdd((columns.Prompts[i], columns.Completions[i], columns.Advantages[i]),
                new InfluenceRow { InfluenceScore = scores[i], InfluenceWeight = weights[i], InfluenceKept = weights[i] > 0 });

        var scored = Mapping(lookup).Fit(input).Transform(input);
        return Options.DropRejected ? _mlContext.Data.FilterRowsByColumn(scored, Options.WeightColumnName, lowerBound: float.Epsilon) : scored;
    }

    private sealed record EpisodeColumns(List<string> Prompts, List<string> Completions, List<float> Advantages);

    private EpisodeColumns ReadColumns(IDataView episodes)
    {
        var prompts = SchemaChecks.ReadText(episodes, Options.PromptColumnName, nameof(Options.PromptColumnName));
        var completions = SchemaChecks.ReadText(episodes, Options.CompletionColumnName, nameof(Options.CompletionColumnName), allowEmpty: true);
        var advantages = SchemaChecks.ReadSingle(episodes, Options.AdvantageColumnName, nameof(Options.AdvantageColumnName));
        if (prompts.Count == 0) throw new ArgumentException($"The episode view is empty: column '{Options.PromptColumnName}' has no rows.", nameof(episodes));
        return new EpisodeColumns(prompts, completions, advantages);
    }

    private double[] Score(EpisodeColumns columns)
    {
        var policy = Options.Policy!;
        var promptIds = new List<int[]>(columns.Prompts.Count);
        var completionIds = new List<int[]>(columns.Prompts.Count);
        for (int i = 0; i < columns.Prompts.Count; i++)
        {
            try
            {
                promptIds.Add(policy.EncodePrompt(columns.Prompts[i]));
                completionIds.Add(policy.EncodeCompletion(columns.Completions[i]));
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Episode row {i} cannot be tokenized: {e.Message}", "episodes", e);
            }
            int tokens = promptIds[i].Length + completionIds[i].Length;
            if (tokens > policy.Model.Config.ContextLength)
                throw new ArgumentException($"Episode row {i} has {tokens} tokens; the policy's context length is {policy.Model.Config.ContextLength}.", "episodes");
        }
        var advantages = columns.Advantages.Select(a => (double)a).ToList();
        var scores = new double[promptIds.Count];
        for (int start = 0; start < promptIds.Count; start += Options.BatchSize)
        {
            using var scope = NewDisposeScope();
            int length = Math.Min(Options.BatchSize, promptIds.Count - start);
            var batch = EpisodeBatch.FromTokens(policy.Model, promptIds.GetRange(start, length), completionIds.GetRange(start, length),
                advantages.GetRange(start, length), policy.Tokenizer.PadId, Options.Loss.Temperature);
            InfluenceScoring.Fast(policy.Model, batch, _gradient, Options.Loss, Options.Filter.Normalization).CopyTo(scores, start);
        }
        return scores;
    }

    private CustomMappingEstimator<EpisodeKeyRow, InfluenceRow> Mapping(Dictionary<(string, string, float), InfluenceRow> lookup) =>
        InfluenceColumns.Mapping(_mlContext, Options, (row, result) =>
        {
            var found = lookup.GetValueOrDefault((row.Prompt, row.Completion, row.Advantage));
            result.InfluenceScore = found?.InfluenceScore ?? double.NaN;
            result.InfluenceWeight = found?.InfluenceWeight ?? 0f;
            result.InfluenceKept = found?.InfluenceKept ?? false;
        });

    private IDataView KeyView() => _mlContext.Data.LoadFromEnumerable(Array.Empty<EpisodeKeyRow>(), InfluenceColumns.Key(Options));

    /// <inheritdoc />
    public void Dispose() => _gradient.Dispose();
}
