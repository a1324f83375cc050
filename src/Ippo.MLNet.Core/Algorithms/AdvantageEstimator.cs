using Ippo.MLNet.Core.Ppo;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Algorithms;

/// <summary>
/// One advantage estimator of <see cref="AdvantageEstimators"/>: a pure function (inputs, settings) -> (Advantages,
/// Returns), both [batch, length] and zero off the mask, and what it needs. An estimator that needs no critic lets
/// the trainer skip the critic, the value head, the critic optimizer and the value forward.
/// </summary>
public sealed class AdvantageEstimator
{
    private readonly Func<AdvantageInputs, AdvantageSettings, (Tensor Advantages, Tensor Returns)> _compute;

    /// <summary>Creates an estimator; <paramref name="compute"/> receives inputs already checked against the flags; what it allocates
    /// besides its two results is disposed after it returns.</summary>
    public AdvantageEstimator(string name, bool needsCritic, bool needsGroups,
        Func<AdvantageInputs, AdvantageSettings, (Tensor Advantages, Tensor Returns)> compute)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("An advantage estimator needs a non-empty name.", nameof(name));
        Name = name;
        NeedsCritic = needsCritic;
        NeedsGroups = needsGroups;
        _compute = compute ?? throw new ArgumentNullException(nameof(compute));
    }

    /// <summary>The registry key (verl's names: "gae", "grpo", ...).</summary>
    public string Name { get; }

    /// <summary>Whether <see cref="AdvantageInputs.Values"/> is read, so a critic must exist.</summary>
    public bool NeedsCritic { get; }

    /// <summary>Whether <see cref="AdvantageInputs.GroupIds"/> is read, so each prompt needs several samples.</summary>
    public bool NeedsGroups { get; }

    /// <summary>Checks the inputs this estimator needs, naming what is missing or misshapen, and computes (Advantages, Returns).</summary>
    public (Tensor Advantages, Tensor Returns) Compute(AdvantageInputs inputs, AdvantageSettings settings)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        TensorChecks.Rank(inputs.TokenLevelRewards, nameof(inputs.TokenLevelRewards), 2);
        TensorChecks.SameShape(inputs.TokenLevelRewards, nameof(inputs.TokenLevelRewards), inputs.ResponseMask, nameof(inputs.ResponseMask));
        if (NeedsCritic && inputs.Values is null)
            throw new ArgumentException($"The '{Name}' advantage estimator needs a critic: AdvantageInputs.Values is required.", nameof(inputs));
        if (NeedsGroups && inputs.GroupIds is null)
            throw new ArgumentException($"The '{Name}' advantage estimator compares episodes of a group: AdvantageInputs.GroupIds is required.", nameof(inputs));
        using var scope = NewDisposeScope();
        var (advantages, returns) = _compute(inputs, settings);
        return (advantages.MoveToOuterDisposeScope(), returns.MoveToOuterDisposeScope());
    }

    /// <summary>Each episode's score: the masked sum of its token-level rewards, [batch, length] -> [batch].</summary>
    public static Tensor Scores(AdvantageInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return (inputs.TokenLevelRewards * inputs.ResponseMask.to(inputs.TokenLevelRewards.dtype)).sum(dim: 1);
    }
}
