using Ippo.MLNet.Tests.RlMoves;
using Ippo.MLNet.Core.Influence;
using Ippo.MLNet.Core.Logging;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using Ippo.MLNet.Core.Training;
using Ippo.MLNet.Tests.Logging;
using Microsoft.ML;
using NUnit.Framework;

namespace Ippo.MLNet.Tests.MLNet;

/// <summary>The ML.NET options' TensorBoard and CSV shortcuts.</summary>
public class LoggingOptionsTests : LoggingTestFolder
{
    private static readonly ArithmeticTaskOptions Task = new() { MinOperations = 2, MaxOperations = 2, MaxOperand = 9, MaxResult = 20 };

    private static Policy TinyPolicy() =>
        ArithmeticDefaults.NewPolicy(ArithmeticDefaults.ModelConfig(1) with { Width = 32, Layers = 1, Heads = 2, ContextLength = 32 });

    [Test]
    public void TheIPpoTrainersCsvHoldsTheTrainingHistoryViewBitForBit()
    {
        var ml = new MLContext(seed: 1);
        var csv = Path.Combine(Dir, "metrics.csv");
        using var policy = TinyPolicy();
        var questions = ml.Data.LoadFromEnumerable(new ArithmeticProblemGenerator(Task, 1).Take(20)
            .Select(p => new QuestionRow { Question = p.Prompt, Answer = p.Answer.ToString() }));
        var gold = ml.Data.LoadFromEnumerable(ArithmeticDefaults.GoldTraces(Task, 8, 5).Select(t => new SftRow { Prompt = t.Prompt, Completion = t.Completion }));
        var trainer = ml.Ippo().IPpoTrainer(new IPpoTrainerOptions
        {
            InitialPolicy = policy, AnswerColumnName = "Answer", ValidationData = gold, Influence = new InfluenceFilterOptions { MinKeptFraction = 0 },
            Ppo = OldPpoDefaults.Ppo with { Iterations = 2, EpisodesPerIteration = 8, MaxNewTokens = 12, Seed = 3 },
            MetricsCsvFile = csv, TensorBoardFolder = Path.Combine(Dir, "tb"),
        });
        var model = ml.Transforms.CopyColumns("Prompt", "Question").Append(trainer).Fit(questions);

        var rows = ml.Data.CreateEnumerable<MetricRow>(ml.Ippo().TrainingHistory(model.LastTransformer), reuseRowObject: false).ToList();
        var table = CsvFile.Read(csv);
        Assert.That(rows.Select(r => r.Iteration).Distinct(), Is.EqualTo(new[] { 1, 2 }));
        Assert.That(table.Rows, Has.Count.EqualTo(2));
        foreach (var row in rows)
            Assert.That(BitConverter.DoubleToInt64Bits(table.Number(row.Iteration - 1, row.Metric)!.Value), Is.EqualTo(BitConverter.DoubleToInt64Bits(row.Value)),
                $"iteration {row.Iteration} {row.Metric}");
        Assert.That(Scalars(Path.Combine(Dir, "tb")).Where(s => s.Tag == MetricNames.Kl).Select(s => s.Step), Is.EqualTo(new[] { 1L, 2L }));
    }

    [Test]
    public void AFolderSetBothHereAndInTheCoreOptionsIsRejectedNamingBoth()
    {
        var ml = new MLContext(seed: 1);
        using var policy = TinyPolicy();
        var options = new PpoTrainerOptions
        {
            InitialPolicy = policy, TensorBoardFolder = "runs/a",
            Ppo = OldPpoDefaults.Ppo with { Logging = new MetricsLogOptions { TensorBoardFolder = "runs/b" } },
        };
        var error = Assert.Throws<ArgumentException>(() => ml.Ippo().PpoTrainer(options))!;
        Assert.That(error.Message, Does.Contain("PpoTrainerOptions.TensorBoardFolder").And.Contain("PpoTrainerOptions.Ppo.Logging.TensorBoardFolder")
            .And.Contain("runs/a").And.Contain("runs/b"));
        Assert.DoesNotThrow(() => ml.Ippo().PpoTrainer(options with { TensorBoardFolder = "runs/b" }), "the same folder twice is no conflict");

        var sft = Assert.Throws<ArgumentException>(() => ml.Ippo().Sft(new SftTrainerOptions
            { MetricsCsvFile = "a.csv", Sft = new SftOptions { Logging = new MetricsLogOptions { CsvFile = "b.csv" } } }))!;
        Assert.That(sft.Message, Does.Contain("SftTrainerOptions.MetricsCsvFile").And.Contain("SftTrainerOptions.Sft.Logging.CsvFile"));
    }
}
