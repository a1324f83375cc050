using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ippo.MLNet.Core.Checkpoints;

/// <summary>
/// Writes a double so that reading it back gives the same bits. .NET's shortest round-trip format ("R", and
/// System.Text.Json's default) is not exact for every value: 2^-25 prints as 2.980232238769531E-08, which parses to
/// the next double below. This writes the shortest form when it parses back to the same bits and 17 significant
/// digits (always exact for IEEE doubles) otherwise. NaN and infinities are written as the strings "NaN",
/// "Infinity" and "-Infinity"; -0 stays -0.
/// </summary>
public sealed class RoundTripDoubleConverter : JsonConverter<double>
{
    /// <summary>The text that reads back as exactly <paramref name="value"/> (finite values only).</summary>
    public static string Format(double value)
    {
        var shortest = value.ToString("R", CultureInfo.InvariantCulture);
        var parsed = double.Parse(shortest, NumberStyles.Float, CultureInfo.InvariantCulture);
        return BitConverter.DoubleToInt64Bits(parsed) == BitConverter.DoubleToInt64Bits(value)
            ? shortest
            : value.ToString("G17", CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            var text = reader.GetString();
            return text switch
            {
                "NaN" => double.NaN,
                "Infinity" => double.PositiveInfinity,
                "-Infinity" => double.NegativeInfinity,
                _ => throw new JsonException($"'{text}' is not a number (expected a JSON number, \"NaN\", \"Infinity\" or \"-Infinity\")."),
            };
        }
        if (reader.TokenType != JsonTokenType.Number) throw new JsonException($"Expected a number, found {reader.TokenType}.");
        var raw = reader.HasValueSequence ? System.Text.Encoding.UTF8.GetString(System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence)) : System.Text.Encoding.UTF8.GetString(reader.ValueSpan);
        return double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
    {
        if (double.IsNaN(value)) writer.WriteStringValue("NaN");
        else if (double.IsPositiveInfinity(value)) writer.WriteStringValue("Infinity");
        else if (double.IsNegativeInfinity(value)) writer.WriteStringValue("-Infinity");
        else writer.WriteRawValue(Format(value), skipInputValidation: true);
    }
}
