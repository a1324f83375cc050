using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ippo.MLNet;

/// <summary>The output SchemaShape of a policy transformer, built through ML.NET's own custom-mapping estimator
/// (SchemaShape.Column has no public constructor).</summary>
internal static class PolicyOutputSchema
{
    public static SchemaShape Of(MLContext mlContext, SchemaShape input, PolicyColumns columns)
    {
        var inputDefinition = SchemaDefinition.Create(typeof(PromptRow));
        inputDefinition[nameof(PromptRow.Prompt)].ColumnName = columns.Prompt;
        var outputDefinition = SchemaDefinition.Create(typeof(CompletionRow));
        outputDefinition[nameof(CompletionRow.Completion)].ColumnName = columns.Completion;
        outputDefinition[nameof(CompletionRow.CompletionTokens)].ColumnName = columns.CompletionTokens;
        outputDefinition[nameof(CompletionRow.CompletionLogProb)].ColumnName = columns.CompletionLogProb;
        return mlContext.Transforms.CustomMapping<PromptRow, CompletionRow>((_, _) => { }, null, inputDefinition, outputDefinition).GetOutputSchema(input);
    }
}
