using Ippo.MLNet.Core.Logging;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using Ippo.MLNet.Core.Training;
using Ippo.MLNet.Tests.Models;
using NUnit.Framework;
using static Ippo.MLNet.Tests.Reliability.ReliabilityFixtures;

namespace Ippo.MLNet.Tests.Logging;

/// <summary>What the trainers write to TensorBoard and CSV, against their own history.</summary>
public class TrainerLoggingTests : LoggingTestFolder
{
    private static readonly PpoOptions Short = Small with { Iterations = 3, EpisodesPerIteration = 8 };

    [Test]
    public void IPpoWritesEveryMetricScoreHistogramAndSamplesAndTheCsvHoldsTheHistory()
    {
        var tb = Path.Combine(Dir, "tb");
        var csv = Path.Combine(Dir, "metrics.csv");
        var mine = new RecordingSink();
        IReadOnlyList<PpoIterationMetrics> history;
        using (var policy = TinyPolicy())
        using (var filter = Filter(policy))
        using (var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), Short with
               { Logging = new MetricsLogOptions { TensorBoardFolder = tb, CsvFile = csv, SamplesEvery = 2, SampleCount = 3, Sinks = new[] { mine } } }, filter))
        {
            var run = trainer.Train(Prompts);
            history = trainer.History;
            Assert.That(run.History, Is.EqualTo(history));
        }
        Assert.That(history.Select(h => h.Iteration), Is.EqualTo(new[] { 1, 2, 3 }));

        var expected = history.SelectMany(h => h.Values.Where(kv => double.IsFinite(kv.Value)).Select(kv => ((long)h.Iteration, kv.Key, (float)kv.Value)));
        Assert.That(Scalars(tb), Is.EquivalentTo(expected), "every finite metric of every iteration, under its name, at its iteration");
        Assert.That(Scalars(tb).Select(s => s.Tag), Has.Member(MetricNames.Kl).And.Member(MetricNames.ClipFraction).And.Member(MetricNames.ScoreMean));

        var events = TensorBoardEvent.ReadFolder(tb);
        var histograms = events.SelectMany(e => e.Values.Where(v => v.Histogram is not null).Select(v => (e.Step, v.Tag, v.Histogram!.Count))).ToList();
        Assert.That(histograms, Is.EqualTo(new[] { (1L, MetricsLog.InfluenceScoresTag, 8.0), (2L, MetricsLog.InfluenceScoresTag, 8.0), (3L, MetricsLog.InfluenceScoresTag, 8.0) }));
        var texts = events.SelectMany(e => e.Values.Where(v => v.Strings.Count > 0).Select(v => (e.Step, Text: v.Strings[0]))).ToList();
        Assert.That(texts.Select(t => t.Step), Is.EqualTo(new[] { 1L, 2L }), "samples at the first iteration and every SamplesEvery-th");
        Assert.That(texts[0].Text.Split('\n'), Has.Length.EqualTo(2 + 3), "header, rule and SampleCount rows");
        Assert.That(texts[0].Text, Does.Contain("influence score"));

        var table = CsvFile.Read(csv);
        Assert.That(table.Header[0], Is.EqualTo(CsvMetricsSink.IterationColumn));
        Assert.That(table.Header.Skip(1), Is.EquivalentTo(history.SelectMany(h => h.Values.Keys).Distinct()));
        Assert.That(table.Rows, Has.Count.EqualTo(history.Count));
        for (int r = 0; r < history.Count; r++)
        {
            Assert.That(table.Rows[r][0], Is.EqualTo(history[r].Iteration.ToString()));
            foreach (var (name, value) in history[r].Values)
                Assert.That(BitConverter.DoubleToInt64Bits(table.Number(r, name)!.Value), Is.EqualTo(BitConverter.DoubleToInt64Bits(value)), $"iteration {r + 1} {name}");
        }

        Assert.That(mine.Iterations, Is.EqualTo(history), "a user's sink sees the same iterations");
        Assert.That(mine.Histograms, Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(mine.Disposed, Is.False, "the caller owns its sink");
    }

    [Test]
    public void AResumedRunsCsvHoldsTheRestoredIterationsToo()
    {
        var checkpoint = Path.Combine(Dir, "checkpoint");
        var csv = Path.Combine(Dir, "metrics.csv");
        var options = Short with { CheckpointFolder = checkpoint, CheckpointEvery = 100, Logging = new MetricsLogOptions { CsvFile = csv } };
        using (var policy = TinyPolicy())
        using (var cancel = new CancellationTokenSource())
        using (var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), options, null))
            trainer.Train(Prompts, m => { if (m.Iteration == 2) cancel.Cancel(); }, cancel.Token);
        Assert.That(CsvFile.Read(csv).Rows, Has.Count.EqualTo(2));

        IReadOnlyList<PpoIterationMetrics> history;
        using (var policy = TinyPolicy())
        using (var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), options, null))
        {
            trainer.LoadCheckpoint(checkpoint);
            trainer.Train(Prompts);
            history = trainer.History;
        }
        var table = CsvFile.Read(csv);
        Assert.That(table.Rows.Select(r => r[0]), Is.EqualTo(new[] { "1", "2", "3" }));
        Assert.That(table.Number(0, MetricNames.Kl), Is.EqualTo(history[0][MetricNames.Kl]), "restored from the checkpoint's history");
        Assert.That(table.Number(2, MetricNames.Kl), Is.EqualTo(history[2][MetricNames.Kl]));
    }

    [Test]
    public void SftLogsTheLossOfEveryStepWhoseWindowMeansAreTheProgressReports()
    {
        var tb = Path.Combine(Dir, "tb");
        var csv = Path.Combine(Dir, "sft.csv");
        var examples = Enumerable.Range(3, 8).Select(i => new TokenizedExample(new[] { i }, new[] { i + 8, 2 })).ToList();
        var options = new SftOptions { Steps = 6, BatchSize = 4, LogEvery = 3, WarmupSteps = 2, Logging = new MetricsLogOptions { TensorBoardFolder = tb, CsvFile = csv } };
        var reports = new List<SftProgress>();
        using (var model = TinyModels.Model(seed: 42))
            SftTrainer.Train(model, examples, TinyModels.Pad, options, reports.Add);

        var table = CsvFile.Read(csv);
        Assert.That(table.Header, Is.EqualTo(new[] { CsvMetricsSink.StepColumn, SftMetricNames.Loss, SftMetricNames.LearningRate }));
        Assert.That(table.Rows.Select(r => r[0]), Is.EqualTo(new[] { "1", "2", "3", "4", "5", "6" }));
        var losses = Enumerable.Range(0, 6).Select(r => table.Number(r, SftMetricNames.Loss)!.Value).ToList();
        // The trainer sums the same doubles in the same order, so the window means agree exactly.
        Assert.That(new[] { (losses[0] + losses[1] + losses[2]) / 3, (losses[3] + losses[4] + losses[5]) / 3 }, Is.EqualTo(reports.Select(p => p.Loss)));
        for (int step = 0; step < 6; step++)
            Assert.That(table.Number(step, SftMetricNames.LearningRate),
                Is.EqualTo(LearningRateSchedule.WarmupCosine(step, 6, options.LearningRate, options.WarmupSteps, options.MinLearningRateFraction)));
        Assert.That(Scalars(tb).Where(s => s.Tag == SftMetricNames.Loss), Is.EqualTo(losses.Select((l, i) => ((long)i + 1, SftMetricNames.Loss, (float)l))));
    }

    [Test]
    public void SftStepEveryWritesEveryNthStepAndTheLastWithTheValuesOfAFullLog()
    {
        var examples = Enumerable.Range(3, 8).Select(i => new TokenizedExample(new[] { i }, new[] { i + 8, 2 })).ToList();
        var options = new SftOptions { Steps = 7, BatchSize = 4, LogEvery = 7, WarmupSteps = 2 };
        List<string[]> Rows(string name, int every)
        {
            var csv = Path.Combine(Dir, name);
            using (var model = TinyModels.Model(seed: 42))
                SftTrainer.Train(model, examples, TinyModels.Pad, options with { Logging = new MetricsLogOptions { CsvFile = csv, SftStepEvery = every } });
            return CsvFile.Read(csv).Rows.Select(r => r.ToArray()).ToList();
        }
        var all = Rows("all.csv", 1);
        var sparse = Rows("every3.csv", 3);
        Assert.That(sparse.Select(r => r[0]), Is.EqualTo(new[] { "3", "6", "7" }), "every third step, and the last");
        Assert.That(sparse, Is.EqualTo(new[] { all[2], all[5], all[6] }), "the same step's loss and learning rate as a full log");
        var bad = Assert.Throws<ArgumentOutOfRangeException>(() => new MetricsLogOptions { SftStepEvery = 0 }.Validate("SftOptions.Logging"))!;
        Assert.That(bad.Message, Does.Contain("SftOptions.Logging.SftStepEvery").And.Contain("[1, 1000000]"));
    }

    private sealed class RecordingSink : IMetricsSink
    {
        public List<PpoIterationMetrics> Iterations { get; } = new();
        public List<int> Histograms { get; } = new();
        public bool Disposed { get; private set; }
        public void WriteIteration(PpoIterationMetrics metrics) => Iterations.Add(metrics);
        public void WriteHistogram(string tag, int step, IReadOnlyList<double> values) => Histograms.Add(step);
        public void Dispose() => Disposed = true;
    }
}
