using System.Text;
using Ippo.MLNet.Core.Logging;
using Ippo.MLNet.Core.Ppo;
using NUnit.Framework;

namespace Ippo.MLNet.Tests.Logging;

/// <summary>The TensorBoard sink's event files, read back with an independent TFRecord and Event reader.</summary>
public class TensorBoardSinkTests : LoggingTestFolder
{
    [Test]
    public void Crc32CGivesThePublishedCheckValue()
    {
        // The CRC-32C check value of "123456789" (RFC 3720, iSCSI), so the reader's own CRC is right.
        Assert.That(Crc32C.Compute("123456789"u8), Is.EqualTo(0xE3069283u));
    }

    [Test]
    public void ScalarsHistogramAndTextReadBackWithTheirTagsAndSteps()
    {
        double before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        using (var sink = new TensorBoardMetricsSink(Dir))
        {
            sink.WriteIteration(new PpoIterationMetrics(1, new Dictionary<string, double>
                { [MetricNames.Kl] = 0.25, [MetricNames.Scores] = -0.5, [MetricNames.ScoreMeanFaithful] = double.NaN }));
            sink.WriteIteration(new PpoIterationMetrics(2, new Dictionary<string, double> { [MetricNames.Kl] = 0.125, [MetricNames.Scores] = 0.75 }));
            IMetricsSink asInterface = sink;
            asInterface.WriteSftStep(3, 1.5, 1e-3);
            asInterface.WriteHistogram(MetricsLog.InfluenceScoresTag, 2, new[] { 1e-4, -2e-4, 3e-4, 5e-5 });
            asInterface.WriteText(MetricsLog.SamplesTag, 2, "| prompt | completion |\n| --- | --- |\n| 1+2= | 1+2=3;3 |");
        }
        double after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

        var events = TensorBoardEvent.ReadFolder(Dir);
        Assert.That(events[0].FileVersion, Is.EqualTo("brain.Event:2"), "an event file starts with its version record");
        // TorchSharp 0.107 writes whole seconds, and the version record's wall_time in DateTime ticks (TensorBoard plots
        // relative time from each series' first point, so only the summaries' times matter).
        Assert.That(events.Skip(1).Select(e => e.WallTime), Has.All.InRange(Math.Floor(before) - 1, after + 1), "wall_time is seconds since the epoch");
        Assert.That(Scalars(Dir), Is.EquivalentTo(new[]
        {
            (1L, MetricNames.Kl, 0.25f), (1L, MetricNames.Scores, -0.5f),
            (2L, MetricNames.Kl, 0.125f), (2L, MetricNames.Scores, 0.75f),
            (3L, SftMetricNames.Loss, 1.5f), (3L, SftMetricNames.LearningRate, 1e-3f),
        }), "every finite metric under its own name at its iteration; the NaN one is left out");

        var histogram = events.Where(e => e.Step == 2).SelectMany(e => e.Values).Single(v => v.Histogram is not null);
        Assert.That(histogram.Tag, Is.EqualTo(MetricsLog.InfluenceScoresTag));
        Assert.That(histogram.Histogram!.Count, Is.EqualTo(4));
        Assert.That(histogram.Histogram.Buckets.Sum(), Is.EqualTo(4), "every value falls in a bucket");
        // The scores sum to 2.5e-4; even summed in float32 (ulp 2.7e-11 near 3e-4), four additions stay within 2e-10.
        Assert.That(histogram.Histogram.Sum, Is.EqualTo(2.5e-4).Within(2e-10));

        var text = events.Where(e => e.Step == 2).SelectMany(e => e.Values).Single(v => v.Strings.Count > 0);
        Assert.That(text.Tag, Does.StartWith(MetricsLog.SamplesTag));
        Assert.That(text.Strings, Has.Some.Contain("| 1+2= | 1+2=3;3 |"));
    }

    [TestCase(4, "Length CRC")]
    [TestCase(-6, "Data CRC")]
    public void ACorruptedByteFailsTheRead(int offsetInLastRecord, string expected)
    {
        using (var sink = new TensorBoardMetricsSink(Dir))
            sink.WriteIteration(new PpoIterationMetrics(1, new Dictionary<string, double> { [MetricNames.Kl] = 0.25 }));
        var file = Directory.EnumerateFiles(Dir, "events.out.tfevents.*").Single();
        var bytes = File.ReadAllBytes(file);
        var records = TfRecordReader.Read(bytes);
        int lastStart = bytes.Length - (16 + records[^1].Length);
        // A positive offset lands in the last record's length field, a negative one in its data (before the final CRC).
        int at = offsetInLastRecord >= 0 ? lastStart + offsetInLastRecord : bytes.Length + offsetInLastRecord;
        bytes[at] ^= 0x01;

        var error = Assert.Throws<InvalidDataException>(() => TfRecordReader.Read(bytes))!;
        Assert.That(error.Message, Does.Contain(expected).And.Contain($"offset {lastStart}"));
    }

    [Test]
    public void TheEventReaderReadsAHandMadeRecord()
    {
        // Event { wall_time: 2.5, step: 300, summary { value { tag: "a/b", simple_value: 1.25 } } }, bytes by hand.
        var value = new List<byte> { 0x0A, 3 };
        value.AddRange(Encoding.ASCII.GetBytes("a/b"));
        value.Add(0x15);
        value.AddRange(BitConverter.GetBytes(1.25f));
        var summary = new List<byte> { 0x0A, (byte)value.Count };
        summary.AddRange(value);
        var message = new List<byte> { 0x09 };
        message.AddRange(BitConverter.GetBytes(2.5));
        message.AddRange(new byte[] { 0x10, 0xAC, 0x02, 0x2A, (byte)summary.Count });
        message.AddRange(summary);

        var parsed = TensorBoardEvent.Parse(message.ToArray());

        Assert.That(parsed.WallTime, Is.EqualTo(2.5));
        Assert.That(parsed.Step, Is.EqualTo(300));
        Assert.That(parsed.Values.Single().Tag, Is.EqualTo("a/b"));
        Assert.That(parsed.Values.Single().SimpleValue, Is.EqualTo(1.25f));
    }
}
