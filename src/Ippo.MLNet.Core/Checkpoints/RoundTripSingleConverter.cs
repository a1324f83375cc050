using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ippo.MLNet.Core.Checkpoints;

/// <summary>
/// Writes a float so that reading it back gives the same bits: the shortest form when it parses back exactly,
/// 9 significant digits (always exact for IEEE singles) otherwise; NaN and infinities as strings, as
/// <see cref="RoundTripDoubleConverter"/> does for doubles.
/// </summary>
public sealed class RoundTripSingleConverter : JsonConverter<float>
{
    /// <summary>The text that reads back as exactly <paramref name="value"/> (finite values only).</summary>
    public static string Format(float value)
    {
        var shortest = value.ToString("R", CultureInfo.InvariantCulture);
        var parsed = float.Parse(shortest, NumberStyles.Float, CultureInfo.InvariantCulture);
        return BitConverter.SingleToInt32Bits(parsed) == BitConverter.SingleToInt32Bits(value)
            ? shortest
            : value.ToString("G9", CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    public override float Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            var text = reader.GetString();
            return text switch
            {
                "NaN" => float.NaN,
                "Infinity" => float.PositiveInfinity,
                "-Infinity" => float.NegativeInfinity,
                _ => throw new JsonException($"'{text}' is not a number (expected a JSON number, \"NaN\", \"Infinity\" or \"-Infinity\")."),
            };
        }
        if (reader.TokenType != JsonTokenType.Number) throw new JsonException($"Expected a number, found {reader.TokenType}.");
        var raw = reader.HasValueSequence ? System.Text.Encoding.UTF8.GetString(System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence)) : System.Text.Encoding.UTF8.GetString(reader.ValueSpan);
        return float.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, float value, JsonSerializerOptions options)
    {
        if (float.IsNaN(value)) writer.WriteStringValue("NaN");
        else if (float.IsPositiveInfinity(value)) writer.WriteStringValue("Infinity");
        else if (float.IsNegativeInfinity(value)) writer.WriteStringValue("-Infinity");
        else writer.WriteRawValue(Format(value), skipInputValidation: true);
    }
}
