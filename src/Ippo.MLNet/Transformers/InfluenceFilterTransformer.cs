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
    public double[] Score(IDataView episodes)
    {
        var (prompts, completions, advantages) = Read(episodes);
        var policy = Options.Policy!;
        var scores = new double[prompts.Count];
        for (int start = 0; start < prompts.Count; start += Options.BatchSize)
        {
            using var scope = NewDisposeScope();
            int length = Math.Min(Options.BatchSize, prompts.Count - start);
            var batch = EpisodeBatch.FromTokens(policy.Model, prompts.GetRange(start, length), completions.GetRange(start, length),
                advantages.GetRange(start, length), policy.Tokenizer.PadId, Options.Loss.Temperature);
            InfluenceScoring.Fast(policy.Model, batch, _gradient, Options.Loss, Options.Filter.Normalization).CopyTo(scores, start);
        }
        return scores;
    }

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        var scores = Score(input);
        var filter = Options.Filter;
        var decision = filter.Rule switch
        {
            InfluenceRule.RandomDrop => InfluenceSelection.RandomDrop(scores, filter.Threshold, _random),
            InfluenceRule.KeepAll => new InfluenceDecision(Enumerable.Range(0, scores.Length).ToArray(), null),
            _ => InfluenceSelection.Threshold(scores, filter.Threshold, filter.Reweight),
        };
        var weights = new float[scores.Length];
        for (int k = 0; k < decision.Kept.Count; k++) weights[decision.Kept[k]] = decision.Weights?[k] ?? 1f;

        var prompts = input.GetColumn<string>(Options.PromptColumnName).ToList();
        var completions = input.GetColumn<string>(Options.CompletionColumnName).ToList();
        var advantages = input.GetColumn<float>(Options.AdvantageColumnName).ToList();
        var lookup = new Dictionary<(string, string, float), InfluenceRow>();
        for (int i = 0; i < scores.Length; i++)
            lookup.TryAdd((prompts[i], completions[i], advantages[i]), new InfluenceRow { InfluenceScore = scores[i], InfluenceWeight = weights[i], InfluenceKept = weights[i] > 0 });

        var scored = Mapping(lookup).Fit(input).Transform(input);
        return Options.DropRejected ? _mlContext.Data.FilterRowsByColumn(scored, Options.WeightColumnName, lowerBound: float.Epsilon) : scored;
    }

    private (List<int[]> Prompts, List<int[]> Completions, List<double> Advantages) Read(IDataView episodes)
    {
        var prompts = SchemaChecks.ReadText(episodes, Options.PromptColumnName, nameof(Options.PromptColumnName));
        var completions = SchemaChecks.ReadText(episodes, Options.CompletionColumnName, nameof(Options.CompletionColumnName), allowEmpty: true);
        var advantages = SchemaChecks.ReadSingle(episodes, Options.AdvantageColumnName, nameof(Options.AdvantageColumnName));
        if (prompts.Count == 0) throw new ArgumentException($"The episode view is empty: column '{Options.PromptColumnName}' has no rows.", nameof(episodes));
        var policy = Options.Policy!;
        var promptIds = new List<int[]>(prompts.Count);
        var completionIds = new List<int[]>(prompts.Count);
        for (int i = 0; i < prompts.Count; i++)
        {
            try
            {
                promptIds.Add(policy.EncodePrompt(prompts[i]));
                completionIds.Add(policy.EncodeCompletion(completions[i]));
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Episode row {i} cannot be tokenized: {e.Message}", nameof(episodes), e);
            }
            int tokens = promptIds[i].Length + completionIds[i].Length;
            if (tokens > policy.Model.Config.ContextLength)
                throw new ArgumentException($"Episode row {i} has {tokens} tokens; the policy's context length is {policy.Model.Config.ContextLength}.", nameof(episodes));
        }
        return (promptIds, completionIds, advantages.Select(a => (double)a).ToList());
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
