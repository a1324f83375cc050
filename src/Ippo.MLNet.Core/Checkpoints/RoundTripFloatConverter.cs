using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ippo.MLNet.Core.Checkpoints;

/// <summary>
/// Writes a double or float so that reading it back gives the same bits. .NET's shortest round-trip format ("R", and
/// System.Text.Json's default) is not exact for every value: 2^-25 prints as 2.980232238769531E-08, which parses to
/// the next double below (2^-958 likewise). This writes the shortest form when it parses back to the same bits and
/// the always-exact 17 (double) or 9 (float) significant digits otherwise. NaN and infinities are written as the
/// strings "NaN", "Infinity" and "-Infinity"; -0 stays -0.
/// </summary>
/// <typeparam name="T"><see cref="double"/> or <see cref="float"/>.</typeparam>
public sealed class RoundTripFloatConverter<T> : JsonConverter<T> where T : struct, IBinaryFloatingPointIeee754<T>
{
    private static readonly string ExactFormat = typeof(T) == typeof(float) ? "G9" : "G17";

    /// <summary>Invariant text that parses back to exactly <paramref name="value"/> ("NaN", "Infinity", "-Infinity" for the rest).</summary>
    public static string Format(T value)
    {
        var shortest = value.ToString("R", CultureInfo.InvariantCulture);
        if (!T.IsFinite(value)) return shortest;
        var parsed = T.Parse(shortest, NumberStyles.Float, CultureInfo.InvariantCulture);
        return parsed == value && T.IsNegative(parsed) == T.IsNegative(value) ? shortest : value.ToString(ExactFormat, CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString() switch
            {
                "NaN" => T.NaN,
                "Infinity" => T.PositiveInfinity,
                "-Infinity" => T.NegativeInfinity,
                var text => throw new JsonException($"'{text}' is not a number (expected a JSON number, \"NaN\", \"Infinity\" or \"-Infinity\")."),
            };
        }
        if (reader.TokenType != JsonTokenType.Number) throw new JsonException($"Expected a number, found {reader.TokenType}.");
        var raw = reader.HasValueSequence ? Encoding.UTF8.GetString(System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence)) : Encoding.UTF8.GetString(reader.ValueSpan);
        return T.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
    {
        if (T.IsFinite(value)) writer.WriteRawValue(Format(value), skipInputValidation: true);
        else writer.WriteStringValue(T.IsNaN(value) ? "NaN" : T.IsPositive(value) ? "Infinity" : "-Infinity");
    }
}
