namespace Ippo.MLNet.Core.Tasks.Arithmetic;

/// <summary>
/// The mix of the SFT corpus. The defaults (30% gold, 50% unfaithful, 20% wrong) give a small model both good and
/// bad habits, so RL has unfaithful reasoning to remove. Fractions must sum to 1.
/// </summary>
public sealed record SftCorpusOptions
{
    /// <summary>Fraction of faithful gold traces. Default 0.3; range [0, 1].</summary>
    public double GoldFraction { get; init; } = 0.3;

    /// <summary>Fraction of unfaithful traces (a wrong intermediate result or a skipped step, right answer). Default 0.5; range [0, 1].</summary>
    public double UnfaithfulFraction { get; init; } = 0.5;

    /// <summary>Fraction of wrong traces (an error that carries to the answer). Default 0.2; range [0, 1].</summary>
    public double WrongFraction { get; init; } = 0.2;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming a fraction out of [0, 1], or when they do not sum to 1.</summary>
    public SftCorpusOptions Validate()
    {
        foreach (var (name, value) in new[] { (nameof(GoldFraction), GoldFraction), (nameof(UnfaithfulFraction), UnfaithfulFraction), (nameof(WrongFraction), WrongFraction) })
            if (!(value >= 0 && value <= 1))
                throw new ArgumentOutOfRangeException(name, value, $"SftCorpusOptions.{name} must be in [0, 1]; got {value}.");
        double sum = GoldFraction + UnfaithfulFraction + WrongFraction;
        if (Math.Abs(sum - 1) > 1e-9)
            throw new ArgumentOutOfRangeException(nameof(GoldFraction), sum, $"SftCorpusOptions fractions must sum to 1; they sum to {sum}.");
        return this;
    }
}
