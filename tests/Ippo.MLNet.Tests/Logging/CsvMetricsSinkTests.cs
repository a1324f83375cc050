using Ippo.MLNet.Tests.RlMoves;
using System.Globalization;
using Ippo.MLNet.Core.Logging;
using Ippo.MLNet.Core.Checkpoints;
using Ippo.MLNet.Core.Ppo;
using NUnit.Framework;

namespace Ippo.MLNet.Tests.Logging;

public class CsvMetricsSinkTests : LoggingTestFolder
{
    [Test]
    public void NumbersParseBackToTheSameBits()
    {
        var random = new Random(3);
        var values = new List<double> { 0.1, 1.0 / 3, Math.Pow(2, -25), double.Epsilon, -0.0, 1e308, 5e-324, double.MaxValue };
        for (int i = 0; i < 2000; i++) values.Add(BitConverter.Int64BitsToDouble((long)(random.NextInt64() & 0x7FEF_FFFF_FFFF_FFFF)) * (i % 2 == 0 ? 1 : -1));
        foreach (var v in values)
        {
            var text = RoundTripFloatConverter<double>.Format(v);
            Assert.That(BitConverter.DoubleToInt64Bits(double.Parse(text, CultureInfo.InvariantCulture)), Is.EqualTo(BitConverter.DoubleToInt64Bits(v)), text);
        }
        Assert.That(RoundTripFloatConverter<double>.Format(0.1), Is.EqualTo("0.1"), "the short form where it round-trips");
        Assert.That(RoundTripFloatConverter<double>.Format(double.NaN), Is.EqualTo("NaN"));
    }

    [Test]
    public void AMetricThatAppearsLateGetsAColumnAndEarlierRowsAnEmptyCell()
    {
        var path = Path.Combine(Dir, "sub", "metrics.csv");
        using (var sink = new CsvMetricsSink(path))
        {
            sink.WriteIteration(new PpoIterationMetrics(1, new Dictionary<string, double> { ["a/x"] = 1.5, ["a/y"] = double.NaN }));
            sink.WriteIteration(new PpoIterationMetrics(2, new Dictionary<string, double> { ["a/x"] = 2.5 }));
            Assert.That(File.ReadAllLines(path), Has.Length.EqualTo(3), "each row is on disk as soon as it is written");
            sink.WriteIteration(new PpoIterationMetrics(3, new Dictionary<string, double> { ["a/z"] = -1, ["a/x"] = 0.1 }));
        }
        Assert.That(File.ReadAllLines(path), Is.EqualTo(new[] { "iteration,a/x,a/y,a/z", "1,1.5,NaN,", "2,2.5,,", "3,0.1,,-1" }));
    }

    [Test]
    public void SftStepsAreRowsOfLossAndLearningRate()
    {
        var path = Path.Combine(Dir, "sft.csv");
        using (IMetricsSink sink = new CsvMetricsSink(path, CsvMetricsSink.StepColumn))
        {
            sink.WriteSftStep(1, 2.25, 1e-3);
            sink.WriteSftStep(2, 2.0, 5e-4);
            sink.WriteHistogram("ignored", 2, new[] { 1.0 });
        }
        Assert.That(File.ReadAllLines(path), Is.EqualTo(new[] { "step,train/loss,train/learning_rate", "1,2.25,0.001", "2,2,0.0005" }));
    }

    [Test]
    public void OptionsNameTheFieldAndValue()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => (OldPpoDefaults.Ppo with { Logging = new MetricsLogOptions { SamplesEvery = 0 } }).Validate())!;
        Assert.That(error.Message, Does.Contain("PpoOptions.Logging.SamplesEvery").And.Contain("[1, 1000000]").And.Contain("got 0"));
        var folder = Assert.Throws<ArgumentOutOfRangeException>(() => new MetricsLogOptions { CsvFile = Dir }.Validate("SftOptions.Logging"))!;
        Assert.That(folder.Message, Does.Contain("SftOptions.Logging.CsvFile").And.Contain(Dir));
    }
}
