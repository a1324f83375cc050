using Ippo.MLNet.Core.Evaluation;
using Ippo.MLNet.Core.Influence;
using Microsoft.ML;

namespace Ippo.MLNet;

/// <summary>
/// Options of the I-PPO trainer: everything of <see cref="PpoTrainerOptions"/>, plus the validation set of gold
/// traces and the influence filter's rule. With <c>Influence.Rule = KeepAll</c> it is plain PPO that still reports scores.
/// </summary>
public sealed record IPpoTrainerOptions : PpoTrainerOptions
{
    /// <summary>Gold, faithful traces: a view with a prompt and a completion text column. Required, non-empty.</summary>
    public IDataView? ValidationData { get; init; }

    /// <summary>Prompt column of <see cref="ValidationData"/>. Default "Prompt".</summary>
    public string ValidationPromptColumnName { get; init; } = "Prompt";

    /// <summary>Gold completion column of <see cref="ValidationData"/>. Default "Completion".</summary>
    public string ValidationCompletionColumnName { get; init; } = "Completion";

    /// <summary>The filter rule, threshold, reweighting, recompute frequency and early stop. Default: the paper's.</summary>
    public InfluenceFilterOptions Influence { get; init; } = new();

    /// <summary>Labels episodes for the kept-correct and kept-faithful diagnostics; null reports scores only. Default null.</summary>
    public ITaskJudge? Judge { get; init; }
}
