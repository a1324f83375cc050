using System.Globalization;
using Ippo.MLNet.Core.Evaluation;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Reproduction;
using NUnit.Framework;
using ReproExperiment = Ippo.MLNet.Reproduction.Experiment;

namespace Ippo.MLNet.Tests.Experiment;

/// <summary>The reproduction program at tiny sizes: every method runs, every file is written and well formed. No claim about which method wins.</summary>
public class ReducedExperimentTests
{
    private static readonly byte[] PngSignature = { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A };

    private static readonly string[] PlotFiles =
    {
        "accuracy-vs-iteration.png", "unfaithful-rate-vs-iteration.png", "kept-fraction-vs-iteration.png", "update-seconds-vs-iteration.png", "influence-score-histogram.png",
    };

    // Set IPPO_KEEP_TEST_OUTPUT=1 to keep the output folders (their paths are printed) and look at the plots.
    private static bool Keep => Environment.GetEnvironmentVariable("IPPO_KEEP_TEST_OUTPUT") == "1";

    [Test]
    public void EveryMethodWritesFiniteMetricsIterationRowsAndPlots()
    {
        var folder = NewFolder();
        try
        {
            var options = new ExperimentOptions
            {
                Seeds = new[] { 1 }, Iterations = 2, Episodes = 8, SftSteps = 20, SftBatchSize = 16, SftCorpusSize = 500,
                ModelWidth = 32, ModelLayers = 1, ValidationSize = 4, HeldOut = 6, Samples = 2, CurveSize = 3, EvalEvery = 1,
                TrainPrompts = 64, Output = folder,
            };
            var log = new StringWriter();
            var results = ReproExperiment.Run(options, log);

            var lines = File.ReadAllLines(Path.Combine(folder, "results.csv"));
            var header = lines[0].Split(',');
            Assert.That(lines[0], Does.StartWith(ResultsWriter.ResultsHeader + ","), "the required header, then the extra columns");
            Assert.That(lines, Has.Length.EqualTo(1 + ExperimentMethods.All.Count), "one row per method and seed");
            foreach (var method in ExperimentMethods.All)
            {
                var row = lines.Skip(1).Select(l => l.Split(',')).Single(c => c[0] == method.Name());
                double Cell(string column) => double.Parse(row[Array.IndexOf(header, column)], CultureInfo.InvariantCulture);
                Assert.That(row[1], Is.EqualTo("1"));
                foreach (var column in new[] { "accuracy", "faithful_accuracy", "unfaithful_rate", "majority_vote", "pass_at_k", "greedy_accuracy" })
                    Assert.That(Cell(column), Is.InRange(0.0, 1.0), $"{method.Name()} {column}");
                Assert.That(Cell("iterations"), method == ExperimentMethod.Sft ? Is.EqualTo(0) : Is.InRange(1, 2), $"{method.Name()} iterations");
                Assert.That(Cell("wall_seconds"), Is.GreaterThanOrEqualTo(0).And.LessThan(double.PositiveInfinity), $"{method.Name()} wall_seconds");
            }
            string[] RowOf(ExperimentMethod m) => lines.Skip(1).Select(l => l.Split(',')).Single(c => c[0] == m.Name());
            double At(ExperimentMethod m, string column) => double.Parse(RowOf(m)[Array.IndexOf(header, column)], CultureInfo.InvariantCulture);
            Assert.That(At(ExperimentMethod.IPpo, "accuracy_minus_ppo"), Is.EqualTo(At(ExperimentMethod.IPpo, "accuracy") - At(ExperimentMethod.Ppo, "accuracy")).Within(1e-12));
            Assert.That(At(ExperimentMethod.IGrpo, "faithful_accuracy_minus_grpo"),
                Is.EqualTo(At(ExperimentMethod.IGrpo, "faithful_accuracy") - At(ExperimentMethod.Grpo, "faithful_accuracy")).Within(1e-12));
            Assert.That(RowOf(ExperimentMethod.IPpo)[Array.IndexOf(header, "accuracy_minus_grpo")], Is.Empty, "PPO-family rows are not compared with GRPO");

            var iterations = File.ReadAllLines(Path.Combine(folder, "iterations.csv"));
            Assert.That(iterations[0], Is.EqualTo("method,seed,iteration,metric,value"));
            var rows = iterations.Skip(1).Select(l => l.Split(',')).ToList();
            foreach (var method in ExperimentMethods.All)
            {
                var mine = rows.Where(r => r[0] == method.Name()).ToList();
                Assert.That(mine.Any(r => r[2] == "0" && r[3] == HeldOutMetrics.Accuracy), $"{method.Name()} has the warm-start checkpoint");
                if (method == ExperimentMethod.Sft) continue;
                Assert.That(mine.Any(r => r[2] == "1" && r[3] == MetricNames.KeptFraction), $"{method.Name()} logs iteration metrics");
                Assert.That(mine.Any(r => r[2] != "0" && r[3] == HeldOutMetrics.Accuracy), $"{method.Name()} has in-training checkpoints");
                // The GRPO methods run without a critic over groups; the PPO ones with one.
                bool grpo = method.IsGroupMethod();
                Assert.That(mine.Any(r => r[3] == MetricNames.ValueLoss), Is.EqualTo(!grpo), $"{method.Name()} value loss logged");
                Assert.That(mine.Any(r => r[3] == Ippo.MLNet.Core.Algorithms.GrpoMetricNames.FracRewardZeroStd), Is.EqualTo(grpo), $"{method.Name()} group metrics logged");
                Assert.That(mine.Where(r => r[3] == MetricNames.Episodes).Select(r => r[4]), Has.All.EqualTo("8"), $"{method.Name()} spends the same episode budget");
            }

            Assert.That(File.ReadAllText(Path.Combine(folder, "results-summary.md")), Does.Contain("PPO-random-drop").And.Contain("I-GRPO").And.Contain("±"));
            AssertPngs(folder);
            Assert.That(results.Results, Has.Count.EqualTo(ExperimentMethods.All.Count));
            Assert.That(results.Summary, Has.Count.EqualTo(ExperimentMethods.All.Count));
        }
        finally
        {
            Cleanup(folder);
        }
    }

    [Test]
    public void PlotsOfSyntheticCurvesAndScoresArePngs()
    {
        var folder = NewFolder();
        try
        {
            var random = new Random(3);
            var records = new List<IterationRecord>();
            foreach (var method in ExperimentMethods.All)
                foreach (var seed in new[] { 1, 2 })
                    for (int it = 0; it <= (method == ExperimentMethod.Sft ? 0 : 20); it += method == ExperimentMethod.Sft ? 1 : 5)
                    {
                        double progress = it / 20.0 * (1 + (int)method) / 5;
                        records.Add(new IterationRecord(method, seed, it, HeldOutMetrics.Accuracy, 0.3 + 0.4 * progress + 0.02 * random.NextDouble()));
                        records.Add(new IterationRecord(method, seed, it, HeldOutMetrics.UnfaithfulRate, 0.6 - 0.4 * progress));
                        if (it > 0) records.Add(new IterationRecord(method, seed, it, MetricNames.KeptFraction, method == ExperimentMethod.Ppo ? 1 : 0.8 - 0.02 * it));
                        if (it > 0) records.Add(new IterationRecord(method, seed, it, MetricNames.UpdateSeconds, 2.5 - 0.05 * it));
                    }
            var samples = Enumerable.Range(0, 400).Select(i => i % 3 == 0
                ? new InfluenceSample(1, i / 20, -1e-4 + 1e-4 * Gaussian(random), TraceLabel.CorrectUnfaithful, false)
                : new InfluenceSample(1, i / 20, 1.5e-4 + 1e-4 * Gaussian(random), TraceLabel.CorrectFaithful, true)).ToList();
            var files = Plots.WriteAll(folder, records, samples);
            Assert.That(files.Select(Path.GetFileName), Is.EquivalentTo(PlotFiles));
            AssertPngs(folder);
        }
        finally
        {
            Cleanup(folder);
        }
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static void AssertPngs(string folder)
    {
        foreach (var name in PlotFiles)
        {
            var path = Path.Combine(folder, name);
            Assert.That(File.Exists(path), name);
            var bytes = File.ReadAllBytes(path);
            Assert.That(bytes.Length, Is.GreaterThan(1000), $"{name} is not empty");
            Assert.That(bytes.Take(8).ToArray(), Is.EqualTo(PngSignature), $"{name} is a PNG");
        }
    }

    private static string NewFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "ippo-repro-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        TestContext.Out.WriteLine($"Output: {folder}");
        return folder;
    }

    private static void Cleanup(string folder)
    {
        if (!Keep && Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }
}
