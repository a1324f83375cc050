using Ippo.MLNet.Core.Influence;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ippo.MLNet;

/// <summary>
/// The influence filter as an ML.NET estimator: Fit computes the validation gradient at the policy's parameters;
/// the transformer scores a view of episodes and keeps the ones that help (see <see cref="InfluenceFilterTransformer"/>).
/// </summary>
public sealed class InfluenceFilterEstimator : IEstimator<InfluenceFilterTransformer>
{
    private readonly MLContext _mlContext;

    internal InfluenceFilterEstimator(MLContext mlContext, InfluenceFilterEstimatorOptions options)
    {
        _mlContext = mlContext;
        Options = options ?? throw new ArgumentNullException(nameof(options));
        if (options.Policy is null) throw new ArgumentException("InfluenceFilterEstimatorOptions.Policy is required: scores are gradients of a policy.", nameof(options));
        if (options.BatchSize is < 1 or > 65_536)
            throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, $"InfluenceFilterEstimatorOptions.BatchSize must be in [1, 65536]; got {options.BatchSize}.");
        options.Filter.Validate();
        Validation = ValidationTraces.Read(options.ValidationData, options.ValidationPromptColumnName, options.ValidationCompletionColumnName,
            options.Policy, nameof(InfluenceFilterEstimatorOptions.ValidationData));
    }

    /// <summary>The options.</summary>
    public InfluenceFilterEstimatorOptions Options { get; }

    private IReadOnlyList<Core.Training.TokenizedExample> Validation { get; }

    /// <inheritdoc />
    public InfluenceFilterTransformer Fit(IDataView input)
    {
        SchemaChecks.RequireText(input.Schema, Options.PromptColumnName, nameof(Options.PromptColumnName));
        SchemaChecks.RequireText(input.Schema, Options.CompletionColumnName, nameof(Options.CompletionColumnName));
        var gradient = ValidationGradient.Compute(Options.Policy!.Model, Validation, Options.Policy.Tokenizer.PadId, Options.Filter.ValidationBatchSize);
        return new InfluenceFilterTransformer(_mlContext, Options, gradient);
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        SchemaChecks.RequireText(inputSchema, Options.PromptColumnName, nameof(Options.PromptColumnName));
        SchemaChecks.RequireText(inputSchema, Options.CompletionColumnName, nameof(Options.CompletionColumnName));
        return InfluenceColumns.Mapping(_mlContext, Options, (_, _) => { }).GetOutputSchema(inputSchema);
    }
}
