using Ippo.MLNet.Core.Influence;
using Ippo.MLNet.Core.Models;
using Microsoft.ML;

namespace Ippo.MLNet;

/// <summary>Options of the standalone influence filter over a view of episodes (prompt, completion, advantage).</summary>
public sealed record InfluenceFilterEstimatorOptions
{
    /// <summary>The policy whose gradients are compared (not modified). Required.</summary>
    public Policy? Policy { get; init; }

    /// <summary>Gold, faithful traces: prompt and completion text columns. Required, non-empty.</summary>
    public IDataView? ValidationData { get; init; }

    /// <summary>Prompt column of <see cref="ValidationData"/>. Default "Prompt".</summary>
    public string ValidationPromptColumnName { get; init; } = "Prompt";

    /// <summary>Gold completion column of <see cref="ValidationData"/>. Default "Completion".</summary>
    public string ValidationCompletionColumnName { get; init; } = "Completion";

    /// <summary>Episode prompt column (text). Default "Prompt".</summary>
    public string PromptColumnName { get; init; } = "Prompt";

    /// <summary>Episode completion column (text, EOS appended when tokenized). Default "Completion".</summary>
    public string CompletionColumnName { get; init; } = "Completion";

    /// <summary>Episode advantage column (Single), applied to every completion token. Default "Advantage".</summary>
    public string AdvantageColumnName { get; init; } = "Advantage";

    /// <summary>Added score column (Double). Default "InfluenceScore".</summary>
    public string ScoreColumnName { get; init; } = "InfluenceScore";

    /// <summary>Added weight column (Single; 0 for dropped episodes). Default "InfluenceWeight".</summary>
    public string WeightColumnName { get; init; } = "InfluenceWeight";

    /// <summary>Added kept flag column (Boolean). Default "InfluenceKept".</summary>
    public string KeptColumnName { get; init; } = "InfluenceKept";

    /// <summary>Drop the rejected rows (default true); false keeps every row, flagged, for analysis.</summary>
    public bool DropRejected { get; init; } = true;

    /// <summary>Rule, threshold, reweighting, normalisation (early-stop fields are unused here).</summary>
    public InfluenceFilterOptions Filter { get; init; } = new();

    /// <summary>Clip range, dual clip, aggregation and temperature of the per-episode PPO loss. Default: the PPO defaults.</summary>
    public EpisodeLossSettings Loss { get; init; } = new();

    /// <summary>Episodes per scoring pass (memory bound). Default 64. Range [1, 65536].</summary>
    public int BatchSize { get; init; } = 64;
}
