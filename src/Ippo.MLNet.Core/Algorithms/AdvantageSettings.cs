namespace Ippo.MLNet.Core.Algorithms;

/// <summary>The scalar knobs of the advantage estimators; each estimator reads only its own.</summary>
public sealed record AdvantageSettings
{
    /// <summary>Discount (GAE, REINFORCE++). Default 1; range [0, 1].</summary>
    public double Gamma { get; init; } = 1.0;

    /// <summary>GAE lambda. Default 0.95; range [0, 1].</summary>
    public double Lambda { get; init; } = 0.95;

    /// <summary>Whiten GAE advantages over the response mask of the batch (GAE only; the group estimators normalise themselves). Default true.</summary>
    public bool WhitenAdvantages { get; init; } = true;

    /// <summary>What "grpo" divides the group-centred scores by (TRL scale_rewards); "dr_grpo" always uses None. Default Group.</summary>
    public RewardScaling ScaleRewards { get; init; } = RewardScaling.Group;

    /// <summary>Added to the standard deviation GRPO divides by. Default 1e-6 (verl; TRL uses 1e-4); range (0, 1].</summary>
    public double Epsilon { get; init; } = GroupAdvantages.DefaultEpsilon;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first setting out of range.</summary>
    public AdvantageSettings Validate()
    {
        if (!(Gamma >= 0 && Gamma <= 1)) throw Out(nameof(Gamma), Gamma, "[0, 1]");
        if (!(Lambda >= 0 && Lambda <= 1)) throw Out(nameof(Lambda), Lambda, "[0, 1]");
        if (!Enum.IsDefined(ScaleRewards)) throw Out(nameof(ScaleRewards), ScaleRewards, "Group, Batch or None");
        if (!(Epsilon > 0 && Epsilon <= 1)) throw Out(nameof(Epsilon), Epsilon, "(0, 1]");
        return this;
    }

    private static ArgumentOutOfRangeException Out(string name, object value, string range) =>
        new(name, value, $"AdvantageSettings.{name} must be in {range}; got {value}.");
}
