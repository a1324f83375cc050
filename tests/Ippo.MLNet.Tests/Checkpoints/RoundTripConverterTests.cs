using System.Text.Json;
using Ippo.MLNet.Core.Checkpoints;
using NUnit.Framework;

namespace Ippo.MLNet.Tests.Checkpoints;

public class RoundTripConverterTests
{
    private static T RoundTrip<T>(T value) =>
        JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(value, CheckpointJson.Options), CheckpointJson.Options)!;

    [Test]
    public void EveryEdgeDoubleComesBackBitForBit()
    {
        var wrong = EdgeValues.Doubles
            .Select(e => (e.Name, e.Value, Back: RoundTrip(e.Value)))
            .Where(e => !EdgeValues.SameBits(e.Value, e.Back))
            .Select(e => $"{e.Name}: wrote {EdgeValues.Bits(e.Value)}, read {EdgeValues.Bits(e.Back)}");
        Assert.That(wrong, Is.Empty);
    }

    [Test]
    public void EveryEdgeFloatComesBackBitForBit()
    {
        var wrong = EdgeValues.Singles
            .Select(e => (e.Name, e.Value, Back: RoundTrip(e.Value)))
            .Where(e => !EdgeValues.SameBits(e.Value, e.Back))
            .Select(e => $"{e.Name}: wrote 0x{BitConverter.SingleToInt32Bits(e.Value):X8}, read 0x{BitConverter.SingleToInt32Bits(e.Back):X8}");
        Assert.That(wrong, Is.Empty);
    }

    [Test]
    public void NonFiniteValuesAreWrittenAsNamedStringsAndNegativeZeroKeepsItsSign()
    {
        Assert.That(JsonSerializer.Serialize(new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity }, CheckpointJson.Options).Replace(" ", "").Replace("\n", "").Replace("\r", ""),
            Is.EqualTo("[\"NaN\",\"Infinity\",\"-Infinity\"]"));
        Assert.That(double.IsNegative(RoundTrip(-0.0)), Is.True);
        Assert.That(float.IsNegative(RoundTrip(-0f)), Is.True);
    }

    [Test]
    public void AnythingButANumberOrANamedNonFiniteIsRefused()
    {
        var error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<double>("\"12\"", CheckpointJson.Options))!;
        Assert.That(error.Message, Does.Contain("'12'"));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<float>("true", CheckpointJson.Options));
    }

    [Test]
    public void TwoMillionRandomDoubleBitPatternsComeBackBitForBit()
    {
        var random = new Random(10);
        for (int chunk = 0; chunk < 20; chunk++)
        {
            var values = new double[100_000];
            for (int i = 0; i < values.Length; i++) values[i] = BitConverter.Int64BitsToDouble(random.NextInt64(long.MinValue, long.MaxValue));
            var back = RoundTrip(values);
            var firstWrong = Enumerable.Range(0, values.Length).FirstOrDefault(i => !EdgeValues.SameBits(values[i], back[i]), -1);
            Assert.That(firstWrong, Is.EqualTo(-1), () => $"chunk {chunk}: wrote {EdgeValues.Bits(values[firstWrong])}, read {EdgeValues.Bits(back[firstWrong])}");
        }
    }

    [Test]
    public void OneMillionRandomFloatBitPatternsComeBackBitForBitAlsoWidenedToDouble()
    {
        var random = new Random(11);
        for (int chunk = 0; chunk < 10; chunk++)
        {
            var values = new float[100_000];
            for (int i = 0; i < values.Length; i++) values[i] = BitConverter.Int32BitsToSingle(random.Next(int.MinValue, int.MaxValue));
            var back = RoundTrip(values);
            var widened = RoundTrip(values.Select(v => (double)v).ToArray());
            var firstWrong = Enumerable.Range(0, values.Length).FirstOrDefault(i => !EdgeValues.SameBits(values[i], back[i]) || !EdgeValues.SameBits(values[i], widened[i]), -1);
            Assert.That(firstWrong, Is.EqualTo(-1), () => $"chunk {chunk}: 0x{BitConverter.SingleToInt32Bits(values[firstWrong]):X8} did not come back");
        }
    }
}
