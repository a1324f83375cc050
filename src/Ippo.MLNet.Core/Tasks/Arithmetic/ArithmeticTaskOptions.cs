namespace Ippo.MLNet.Core.Tasks.Arithmetic;

/// <summary>Difficulty of the built-in arithmetic task. <see cref="Validate"/> checks every range.</summary>
public sealed record ArithmeticTaskOptions
{
    /// <summary>Fewest operations in a problem. Default 2; range [1, 6].</summary>
    public int MinOperations { get; init; } = 2;

    /// <summary>Most operations in a problem. Default 3; range [MinOperations, 6].</summary>
    public int MaxOperations { get; init; } = 3;

    /// <summary>Smallest operand. Default 1; range [0, MaxOperand].</summary>
    public int MinOperand { get; init; } = 1;

    /// <summary>Largest operand. Default 20; range [MinOperand, 999].</summary>
    public int MaxOperand { get; init; } = 20;

    /// <summary>Also use '*' with a one-digit operand (2..9). Operations apply left to right, without precedence. Default false.</summary>
    public bool AllowMultiply { get; init; }

    /// <summary>Smallest allowed intermediate or final result. Default 0; range [-9999, MaxResult].</summary>
    public int MinResult { get; init; }

    /// <summary>Largest allowed intermediate or final result. Default 40; range [MinResult, 9999].</summary>
    public int MaxResult { get; init; } = 40;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option out of range.</summary>
    public ArithmeticTaskOptions Validate()
    {
        Check(nameof(MinOperations), MinOperations, 1, 6);
        Check(nameof(MaxOperations), MaxOperations, MinOperations, 6);
        Check(nameof(MaxOperand), MaxOperand, 0, 999);
        Check(nameof(MinOperand), MinOperand, 0, MaxOperand);
        Check(nameof(MaxResult), MaxResult, -9999, 9999);
        Check(nameof(MinResult), MinResult, -9999, MaxResult);
        return this;
    }

    private static void Check(string name, int value, int min, int max)
    {
        if (value < min || value > max)
            throw new ArgumentOutOfRangeException(name, value, $"ArithmeticTaskOptions.{name} must be in [{min}, {max}]; got {value}.");
    }
}
