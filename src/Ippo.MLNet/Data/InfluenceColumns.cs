using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Ippo.MLNet;

/// <summary>The influence filter's column mapping: episode key columns in, score/weight/kept columns out, named by the options.</summary>
internal static class InfluenceColumns
{
    public static SchemaDefinition Key(InfluenceFilterEstimatorOptions options)
    {
        var input = SchemaDefinition.Create(typeof(EpisodeKeyRow));
        input[nameof(EpisodeKeyRow.Prompt)].ColumnName = options.PromptColumnName;
        input[nameof(EpisodeKeyRow.Completion)].ColumnName = options.CompletionColumnName;
        input[nameof(EpisodeKeyRow.Advantage)].ColumnName = options.AdvantageColumnName;
        return input;
    }

    public static CustomMappingEstimator<EpisodeKeyRow, InfluenceRow> Mapping(MLContext ml, InfluenceFilterEstimatorOptions options, Action<EpisodeKeyRow, InfluenceRow> map)
    {
        var output = SchemaDefinition.Create(typeof(InfluenceRow));
        output[nameof(InfluenceRow.InfluenceScore)].ColumnName = options.ScoreColumnName;
        output[nameof(InfluenceRow.InfluenceWeight)].ColumnName = options.WeightColumnName;
        output[nameof(InfluenceRow.InfluenceKept)].ColumnName = options.KeptColumnName;
        return ml.Transforms.CustomMapping(map, null, Key(options), output);
    }
}
