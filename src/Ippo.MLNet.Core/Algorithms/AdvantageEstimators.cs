using System.Collections.Concurrent;
using Ippo.MLNet.Core.Ppo;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Algorithms;

/// <summary>The advantage estimators by name (as verl's registry); a new one is a function and a <see cref="Register"/>.</summary>
public static class AdvantageEstimators
{
    /// <summary>Generalised advantage estimation with a critic (<see cref="Advantages.Gae"/>, whitened when the settings say so).</summary>
    public const string Gae = "gae";

    /// <summary>GRPO: group-mean baseline, scaled per <see cref="AdvantageSettings.ScaleRewards"/>.</summary>
    public const string Grpo = "grpo";

    /// <summary>Dr. GRPO: group-mean baseline without std scaling (pair it with the seq-mean-token-sum-norm aggregation).</summary>
    public const string DrGrpo = "dr_grpo";

    /// <summary>RLOO: leave-one-out group baseline.</summary>
    public const string Rloo = "rloo";

    /// <summary>REINFORCE++: discounted reward-to-go whitened over the batch's tokens; needs neither critic nor groups.</summary>
    public const string ReinforcePlusPlus = "reinforce_plus_plus";

    /// <summary>REINFORCE++ with a group-mean baseline, then whitened over the batch's tokens.</summary>
    public const string ReinforcePlusPlusBaseline = "reinforce_plus_plus_baseline";

    private static readonly ConcurrentDictionary<string, AdvantageEstimator> Estimators = new(StringComparer.Ordinal);

    static AdvantageEstimators()
    {
        Register(new AdvantageEstimator(Gae, needsCritic: true, needsGroups: false, ComputeGae));
        Register(new AdvantageEstimator(Grpo, needsCritic: false, needsGroups: true,
            (inputs, settings) => GroupAdvantages.Grpo(AdvantageEstimator.Scores(inputs), inputs.ResponseMask, inputs.GroupIds!, settings.ScaleRewards, settings.Epsilon)));
        Register(new AdvantageEstimator(DrGrpo, needsCritic: false, needsGroups: true,
            (inputs, settings) => GroupAdvantages.Grpo(AdvantageEstimator.Scores(inputs), inputs.ResponseMask, inputs.GroupIds!, RewardScaling.None, settings.Epsilon)));
        Register(new AdvantageEstimator(Rloo, needsCritic: false, needsGroups: true,
            (inputs, _) => GroupAdvantages.Rloo(AdvantageEstimator.Scores(inputs), inputs.ResponseMask, inputs.GroupIds!)));
        Register(new AdvantageEstimator(ReinforcePlusPlus, needsCritic: false, needsGroups: false,
            (inputs, settings) => OutcomeAdvantages.ReinforcePlusPlus(inputs.TokenLevelRewards, inputs.ResponseMask, settings.Gamma)));
        Register(new AdvantageEstimator(ReinforcePlusPlusBaseline, needsCritic: false, needsGroups: true,
            (inputs, _) => GroupAdvantages.ReinforcePlusPlusBaseline(AdvantageEstimator.Scores(inputs), inputs.ResponseMask, inputs.GroupIds!)));
    }

    /// <summary>Makes <paramref name="estimator"/> answer to its name (replacing an earlier registration).</summary>
    public static void Register(AdvantageEstimator estimator)
    {
        ArgumentNullException.ThrowIfNull(estimator);
        Estimators[estimator.Name] = estimator;
    }

    /// <summary>Every registered name, sorted.</summary>
    public static IReadOnlyList<string> Names => Estimators.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();

    /// <summary>The estimator called <paramref name="name"/>; the error names the option and lists the registered names.</summary>
    public static AdvantageEstimator Get(string name)
    {
        if (name is not null && Estimators.TryGetValue(name, out var estimator)) return estimator;
        throw new ArgumentOutOfRangeException(nameof(name), name,
            $"AdvantageEstimator '{name}' is not registered; registered: {string.Join(", ", Names)}. Add one with AdvantageEstimators.Register.");
    }

    private static (Tensor Advantages, Tensor Returns) ComputeGae(AdvantageInputs inputs, AdvantageSettings settings)
    {
        using var scope = NewDisposeScope();
        var (advantages, returns) = Advantages.Gae(inputs.TokenLevelRewards, inputs.Values!, inputs.ResponseMask, settings.Gamma, settings.Lambda);
        if (settings.WhitenAdvantages) advantages = MaskedStats.MaskedWhiten(advantages, inputs.ResponseMask);
        return (advantages.MoveToOuterDisposeScope(), returns.MoveToOuterDisposeScope());
    }
}
