namespace Ippo.MLNet.Tests.Checkpoints;

/// <summary>Doubles and floats whose text form is easy to get wrong, for round-trip tests.</summary>
internal static class EdgeValues
{
    /// <summary>Powers of two whose shortest "R" form parses to a neighbour, subnormals, extremes, signed zeros, non-finites, widened floats.</summary>
    public static IReadOnlyList<(string Name, double Value)> Doubles { get; } =
    [
        ("2^-25", Math.ScaleB(1, -25)),
        ("2^-958", Math.ScaleB(1, -958)),
        ("double.Epsilon", double.Epsilon),
        ("3 * 2^-1074", Math.ScaleB(3, -1074)),
        ("largest subnormal", BitConverter.Int64BitsToDouble(0x000F_FFFF_FFFF_FFFF)),
        ("smallest normal", Math.ScaleB(1, -1022)),
        ("below smallest normal by one ulp", Math.BitDecrement(Math.ScaleB(1, -1022))),
        ("double.MaxValue", double.MaxValue),
        ("double.MinValue", double.MinValue),
        ("+0", 0.0),
        ("-0", -0.0),
        ("NaN", double.NaN),
        ("+Infinity", double.PositiveInfinity),
        ("-Infinity", double.NegativeInfinity),
        ("0.1", 0.1),
        ("1/3", 1.0 / 3),
        ("1 + ulp", Math.BitIncrement(1.0)),
        ("(double)0.1f", 0.1f),
        ("(double)(1f/3f)", 1f / 3f),
        ("(double)float.Epsilon", float.Epsilon),
        ("(double)float.MaxValue", float.MaxValue),
        ("(double)-float.MinValue", -float.MinValue),
        ("(double)2^-25f", MathF.ScaleB(1, -25)),
    ];

    /// <summary>The float counterparts: subnormals, extremes, signed zeros, non-finites, powers of two.</summary>
    public static IReadOnlyList<(string Name, float Value)> Singles { get; } =
    [
        ("2^-25", MathF.ScaleB(1, -25)),
        ("float.Epsilon", float.Epsilon),
        ("largest subnormal", BitConverter.Int32BitsToSingle(0x007F_FFFF)),
        ("smallest normal", MathF.ScaleB(1, -126)),
        ("float.MaxValue", float.MaxValue),
        ("float.MinValue", float.MinValue),
        ("+0", 0f),
        ("-0", -0f),
        ("NaN", float.NaN),
        ("+Infinity", float.PositiveInfinity),
        ("-Infinity", float.NegativeInfinity),
        ("0.1f", 0.1f),
        ("1f/3f", 1f / 3f),
    ];

    /// <summary>True when <paramref name="actual"/> has the bits of <paramref name="expected"/>; any NaN reads back as the canonical NaN.</summary>
    public static bool SameBits(double expected, double actual) =>
        double.IsNaN(expected) ? BitConverter.DoubleToInt64Bits(actual) == BitConverter.DoubleToInt64Bits(double.NaN)
                               : BitConverter.DoubleToInt64Bits(actual) == BitConverter.DoubleToInt64Bits(expected);

    /// <summary>The float version of <see cref="SameBits(double, double)"/>.</summary>
    public static bool SameBits(float expected, float actual) =>
        float.IsNaN(expected) ? BitConverter.SingleToInt32Bits(actual) == BitConverter.SingleToInt32Bits(float.NaN)
                              : BitConverter.SingleToInt32Bits(actual) == BitConverter.SingleToInt32Bits(expected);

    /// <summary>Hex bits, for failure messages.</summary>
    public static string Bits(double value) => $"0x{BitConverter.DoubleToInt64Bits(value):X16}";
}
