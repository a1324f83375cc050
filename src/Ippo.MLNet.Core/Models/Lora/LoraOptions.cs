namespace Ippo.MLNet.Core.Models.Lora;

/// <summary>
/// Low-rank adapters (LoRA, Hu et al. 2021) on the Linear layers of any architecture, as PEFT configures them: each
/// adapted layer computes y = W x + b + scale * B A dropout(x), A [r, in], B [out, r], with the base W and b frozen.
/// Applied by <see cref="LoraAdapters.Apply"/>; saved and loaded in PEFT's format by <see cref="PeftAdapterFiles"/>.
/// </summary>
public sealed record LoraOptions
{
    /// <summary>The value of <see cref="TargetModules"/> that adapts every Linear layer except the LM head (PEFT's "all-linear").</summary>
    public const string AllLinear = "all-linear";

    /// <summary>Rank r of every adapter. Default 8; range [1, 65,536].</summary>
    public int Rank { get; init; } = 8;

    /// <summary>lora_alpha: the adapter output is scaled by Alpha / r (or Alpha / sqrt(r), <see cref="UseRsLora"/>). Default 16; range (0, 1e6].</summary>
    public double Alpha { get; init; } = 16;

    /// <summary>Dropout probability on the adapter's input in training mode. Default 0; range [0, 1).</summary>
    public double Dropout { get; init; }

    /// <summary>
    /// Which Linear layers get adapters: module names matched as PEFT does (a module whose Hugging Face state-dict
    /// name equals an entry or ends with "." + entry, such as "q_proj", "v_proj", "c_attn"), or the single entry
    /// <see cref="AllLinear"/>. The LM head ("lm_head") is adapted only when named explicitly. Default
    /// [<see cref="AllLinear"/>]; must be non-empty and match at least one layer.
    /// </summary>
    public IReadOnlyList<string> TargetModules { get; init; } = new[] { AllLinear };

    /// <summary>rsLoRA (Kalajdzievski 2023): scale Alpha / sqrt(r) instead of Alpha / r. Default false.</summary>
    public bool UseRsLora { get; init; }

    /// <summary>Seed of the A matrices' initialisation (B starts at zero). Default 0.</summary>
    public int Seed { get; init; }

    /// <summary>
    /// Influence scores over every parameter, the frozen base weights included (the adapters alone otherwise): for small
    /// models, where the full gradient fits. Default false.
    /// </summary>
    public bool InfluenceOverAllParameters { get; init; }

    /// <summary>The factor on B A x: Alpha / r, or Alpha / sqrt(r) with <see cref="UseRsLora"/>.</summary>
    public double Scale => UseRsLora ? Alpha / Math.Sqrt(Rank) : Alpha / Rank;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> or <see cref="ArgumentException"/> naming the first option out of range.</summary>
    public LoraOptions Validate()
    {
        if (Rank < 1 || Rank > 65_536) throw new ArgumentOutOfRangeException(nameof(Rank), Rank, "LoraOptions.Rank must be in [1, 65,536].");
        if (!(Alpha > 0 && Alpha <= 1e6)) throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "LoraOptions.Alpha must be in (0, 1e6].");
        if (!(Dropout >= 0 && Dropout < 1)) throw new ArgumentOutOfRangeException(nameof(Dropout), Dropout, "LoraOptions.Dropout must be in [0, 1).");
        if (TargetModules is null || TargetModules.Count == 0 || TargetModules.Any(string.IsNullOrWhiteSpace))
            throw new ArgumentException("LoraOptions.TargetModules must name at least one module (or be [\"all-linear\"]) and hold no empty names.", nameof(TargetModules));
        if (TargetModules.Contains(AllLinear) && TargetModules.Count > 1)
            throw new ArgumentException($"LoraOptions.TargetModules is [{string.Join(", ", TargetModules)}]: \"{AllLinear}\" must be its only entry.", nameof(TargetModules));
        return this;
    }

    /// <summary>Whether the Linear layer named <paramref name="moduleName"/> (a state-dict prefix) gets an adapter.</summary>
    public bool Targets(string moduleName)
    {
        ArgumentNullException.ThrowIfNull(moduleName);
        if (TargetModules.Count == 1 && TargetModules[0] == AllLinear) return moduleName != LmHead && !moduleName.EndsWith("." + LmHead, StringComparison.Ordinal);
        return TargetModules.Any(t => moduleName == t || moduleName.EndsWith("." + t, StringComparison.Ordinal));
    }

    private const string LmHead = "lm_head";
}
