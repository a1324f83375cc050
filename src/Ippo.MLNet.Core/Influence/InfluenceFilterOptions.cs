namespace Ippo.MLNet.Core.Influence;

/// <summary>
/// Options of the influence filter (I-PPO). Defaults follow the paper except for the weights: plain dot product, drop
/// scores &lt;= 0, validation gradient recomputed every iteration, and the kept episodes unweighted (the paper reweights
/// them by score / mean score: <see cref="Reweight"/> = true). <see cref="Validate"/> checks them.
/// </summary>
public sealed record InfluenceFilterOptions
{
    /// <summary>Keep rule. Default <see cref="InfluenceRule.Influence"/>.</summary>
    public InfluenceRule Rule { get; init; } = InfluenceRule.Influence;

    /// <summary>Episodes scoring at or below this are dropped. Default 0 (the paper). Range: finite; &gt;= 0 when reweighting.</summary>
    public double Threshold { get; init; }

    /// <summary>
    /// Weight kept episodes by w_i = s_i / mean(s_kept) (mean weight 1), the paper's rule. Default false: kept episodes
    /// weigh 1. On the experiment's five confirmation seeds (docs/results.md) the unweighted filter beat PPO on every
    /// seed and the weighted one fell behind it; the weights put most of an update on a few episodes.
    /// </summary>
    public bool Reweight { get; init; }

    /// <summary>Dot product (default, the paper) or cosine.</summary>
    public InfluenceNormalization Normalization { get; init; } = InfluenceNormalization.Dot;

    /// <summary>Recompute the validation gradient every this many iterations. Default 1. Range [1, 1000].</summary>
    public int RecomputeValidationEvery { get; init; } = 1;

    /// <summary>Validation traces per gradient chunk (memory bound; the gradient is over all traces). Default 64. Range [1, 65536].</summary>
    public int ValidationBatchSize { get; init; } = 64;

    /// <summary>
    /// Intrinsic early stop: the run stops once the kept fraction has stayed below this for <see cref="Patience"/>
    /// iterations in a row (and at once when nothing is kept). Default 0.1. Range [0, 1]; 0 stops only when nothing is kept.
    /// </summary>
    public double MinKeptFraction { get; init; } = 0.1;

    /// <summary>Iterations in a row below <see cref="MinKeptFraction"/> before stopping. Default 3. Range [1, 1000].</summary>
    public int Patience { get; init; } = 3;

    /// <summary>
    /// Let the scoring backward pass also serve as the PPO update's first minibatch step (same parameters, so the same
    /// gradient), saving one policy forward and backward. Needs dropout 0, a separate critic and no entropy bonus;
    /// otherwise the trainer takes the ordinary step. Default true.
    /// </summary>
    public bool FuseFirstUpdateStep { get; init; } = true;

    /// <summary>Seed of the random-drop control. Default 0.</summary>
    public int Seed { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option out of range.</summary>
    public InfluenceFilterOptions Validate()
    {
        if (!double.IsFinite(Threshold)) throw Out(nameof(Threshold), Threshold, "a finite number");
        if (Reweight && Rule == InfluenceRule.Influence && Threshold < 0)
            throw Out(nameof(Threshold), Threshold, "[0, +inf) when Reweight is on (weights s / mean(s) need positive scores)");
        if (RecomputeValidationEvery is < 1 or > 1000) throw Out(nameof(RecomputeValidationEvery), RecomputeValidationEvery, "[1, 1000]");
        if (ValidationBatchSize is < 1 or > 65_536) throw Out(nameof(ValidationBatchSize), ValidationBatchSize, "[1, 65536]");
        if (!(MinKeptFraction >= 0 && MinKeptFraction <= 1)) throw Out(nameof(MinKeptFraction), MinKeptFraction, "[0, 1]");
        if (Patience is < 1 or > 1000) throw Out(nameof(Patience), Patience, "[1, 1000]");
        return this;
    }

    private static ArgumentOutOfRangeException Out(string name, object value, string range) =>
        new(name, value, $"InfluenceFilterOptions.{name} must be in {range}; got {value}.");
}
