using Ippo.MLNet.Core.Generation;
using Ippo.MLNet.Core.Models;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Ippo.MLNet;

/// <summary>
/// A fitted policy as an ML.NET transformer: for each prompt row it adds the completion text, its token ids and its
/// log-prob. Schema, row mapping and ML.NET's part of saving go through an inner custom mapping; the weights are
/// saved by <see cref="IppoCatalog.SaveModel"/>. Generation is greedy unless <see cref="Generation"/> says otherwise.
/// </summary>
public sealed class PolicyTransformer : ITransformer, IDisposable
{
    private readonly CustomMappingTransformer<PromptRow, CompletionRow> _inner;
    private readonly TextGenerator _generator;
    private readonly object _gate = new();

    internal PolicyTransformer(MLContext mlContext, Policy policy, PolicyColumns columns, GenerationOptions generation, long seed = 0)
    {
        Policy = policy;
        Columns = columns;
        Generation = generation.Validate();
        _generator = new TextGenerator(policy, seed);
        var input = SchemaDefinition.Create(typeof(PromptRow));
        input[nameof(PromptRow.Prompt)].ColumnName = columns.Prompt;
        var output = SchemaDefinition.Create(typeof(CompletionRow));
        output[nameof(CompletionRow.Completion)].ColumnName = columns.Completion;
        output[nameof(CompletionRow.CompletionTokens)].ColumnName = columns.CompletionTokens;
        output[nameof(CompletionRow.CompletionLogProb)].ColumnName = columns.CompletionLogProb;
        var empty = mlContext.Data.LoadFromEnumerable(Array.Empty<PromptRow>(), input);
        _inner = mlContext.Transforms.CustomMapping<PromptRow, CompletionRow>(Map, PolicyMappingFactory.ContractName, input, output).Fit(empty);
    }

    /// <summary>The trained policy (model and tokenizer).</summary>
    public Policy Policy { get; }

    /// <summary>The column names.</summary>
    public PolicyColumns Columns { get; }

    /// <summary>How completions are generated.</summary>
    public GenerationOptions Generation { get; }

    /// <summary>Per-iteration metrics of the PPO / I-PPO run that produced this policy; empty after SFT.</summary>
    public IReadOnlyList<Core.Ppo.PpoIterationMetrics> History { get; init; } = Array.Empty<Core.Ppo.PpoIterationMetrics>();

    /// <summary>Why training stopped before its last iteration (I-PPO's early stop, cancellation), or null when it ran to the end.</summary>
    public string? StopReason { get; init; }

    /// <inheritdoc />
    public bool IsRowToRowMapper => true;

    /// <summary>Completions for a list of prompts, generated in one batch (faster than row by row).</summary>
    public IReadOnlyList<string> Complete(IReadOnlyList<string> prompts)
    {
        lock (_gate)
        {
            using var result = _generator.Generate(prompts.Select(Policy.EncodePrompt).ToList(), Generation);
            return result.CompletionIds().Select(Policy.Tokenizer.Decode).ToList();
        }
    }

    /// <summary>Writes the weights, config and tokenizer as a folder PyTorch can read (model.safetensors).</summary>
    public void ExportSafetensors(string folder) => Policy.Save(folder);

    private void Map(PromptRow row, CompletionRow output)
    {
        if (string.IsNullOrEmpty(row.Prompt))
            throw new ArgumentException($"A row of column '{Columns.Prompt}' is empty or missing; every prompt needs text.");
        lock (_gate)
        {
            using var result = _generator.Generate(new[] { Policy.EncodePrompt(row.Prompt) }, Generation);
            var ids = result.CompletionIds()[0];
            output.Completion = Policy.Tokenizer.Decode(ids);
            output.CompletionTokens = result.Tokens.narrow(1, 0, (long)result.Mask.sum().item<float>()).data<long>().Select(i => (int)i).ToArray();
            output.CompletionLogProb = result.LogProbs.sum().item<float>();
        }
    }

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        SchemaChecks.RequireText(inputSchema, Columns.Prompt, "PolicyColumns.Prompt");
        return _inner.GetOutputSchema(inputSchema);
    }

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        SchemaChecks.RequireText(input.Schema, Columns.Prompt, "PolicyColumns.Prompt");
        return _inner.Transform(input);
    }

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => ((ITransformer)_inner).GetRowToRowMapper(inputSchema);

    void ICanSaveModel.Save(ModelSaveContext ctx) => ((ICanSaveModel)_inner).Save(ctx);

    /// <inheritdoc />
    public void Dispose()
    {
        _generator.Dispose();
        Policy.Dispose();
    }
}
