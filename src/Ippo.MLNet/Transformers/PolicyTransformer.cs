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

    /// <summary>
    /// Wraps a policy (for example a <see cref="Core.Models.Policy.Load"/> result) as a transformer to evaluate, append to a
    /// pipeline, save with <see cref="IppoCatalog.SaveModel"/> or start PPO from. The transformer owns
    /// <paramref name="policy"/> and disposes it. Same as <see cref="IppoCatalog.FromPolicy"/>.
    /// </summary>
    /// <param name="mlContext">The context.</param>
    /// <param name="policy">The policy (model and tokenizer).</param>
    /// <param name="columns">Column names. Default null: Prompt in; Completion, CompletionTokens, CompletionLogProb out.</param>
    /// <param name="generation">Decoding. Default null: greedy, 32 new tokens or the room left in the model's context after the prompt, whichever is smaller.</param>
    /// <param name="seed">Seed of sampling (only used at a temperature above 0). Default 0.</param>
    public PolicyTransformer(MLContext mlContext, Policy policy, PolicyColumns? columns = null, GenerationOptions? generation = null, long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        Policy = policy ?? throw new ArgumentNullException(nameof(policy));
        columns ??= new PolicyColumns();
        Columns = columns;
        Generation = (generation ?? new GenerationOptions { Temperature = 0 }).Validate();
        FollowsContext = generation is null;
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

    /// <summary>
    /// True when no generation options were given: each prompt then gets at most the room left in the model's context
    /// after it (never more than <see cref="Generation"/>'s MaxNewTokens).
    /// </summary>
    public bool FollowsContext { get; internal init; }

    /// <summary>Per-iteration metrics of the PPO / I-PPO run that produced this policy; empty after SFT.</summary>
    public IReadOnlyList<Core.Ppo.PpoIterationMetrics> History { get; init; } = Array.Empty<Core.Ppo.PpoIterationMetrics>();

    /// <summary>Why training stopped before its last iteration (I-PPO's early stop, cancellation), or null when it ran to the end.</summary>
    public string? StopReason { get; init; }

    /// <inheritdoc />
    public bool IsRowToRowMapper => true;

    /// <summary>Completions for a list of prompts, generated in one batch per token budget (faster than row by row; the same completions when greedy).</summary>
    public IReadOnlyList<string> Complete(IReadOnlyList<string> prompts)
    {
        lock (_gate)
        {
            var ids = prompts.Select(Policy.EncodePrompt).ToList();
            // One batch per token budget, so every prompt gets the budget it gets row by row in Transform.
            var completions = new string[ids.Count];
            foreach (var group in Enumerable.Range(0, ids.Count).GroupBy(i => GenerationFor(ids[i].Length).MaxNewTokens))
            {
                var members = group.ToList();
                using var result = _generator.Generate(members.Select(i => ids[i]).ToList(), GenerationFor(ids[members[0]].Length));
                var texts = result.CompletionIds().Select(Policy.Tokenizer.Decode).ToList();
                for (int k = 0; k < members.Count; k++) completions[members[k]] = texts[k];
            }
            return completions;
        }
    }

    /// <summary>Writes the weights, config and tokenizer as a folder PyTorch can read (model.safetensors).</summary>
    public void ExportSafetensors(string folder) => Policy.Save(folder);

    // Without explicit options, generation stops where the model's context ends instead of failing on short contexts.
    private GenerationOptions GenerationFor(int promptTokens) =>
        FollowsContext && promptTokens < Policy.Model.Config.ContextLength
            ? Generation with { MaxNewTokens = Math.Min(Generation.MaxNewTokens, Policy.Model.Config.ContextLength - promptTokens) }
            : Generation;

    private void Map(PromptRow row, CompletionRow output)
    {
        if (string.IsNullOrEmpty(row.Prompt))
            throw new ArgumentException($"A row of column '{Columns.Prompt}' is empty or missing; every prompt needs text.");
        lock (_gate)
        {
            var prompt = Policy.EncodePrompt(row.Prompt);
            using var result = _generator.Generate(new[] { prompt }, GenerationFor(prompt.Length));
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
