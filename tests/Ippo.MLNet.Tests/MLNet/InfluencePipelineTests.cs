using Ippo.MLNet.Tests.RlMoves;
using Ippo.MLNet.Core.Influence;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using Microsoft.ML;
using Microsoft.ML.Data;
using NUnit.Framework;

namespace Ippo.MLNet.Tests.MLNet;

public class InfluencePipelineTests
{
    private static readonly ArithmeticTaskOptions Task = new() { MinOperations = 2, MaxOperations = 2, MaxOperand = 9, MaxResult = 20 };

    private static Policy TinyPolicy(long seed = 1) =>
        ArithmeticDefaults.NewPolicy(ArithmeticDefaults.ModelConfig(seed) with { Width = 32, Layers = 1, Heads = 2, ContextLength = 32 });

    private static IDataView Gold(MLContext ml, int count, int seed = 5) => ml.Data.LoadFromEnumerable(
        ArithmeticDefaults.GoldTraces(Task, count, seed).Select(t => new SftRow { Prompt = t.Prompt, Completion = t.Completion }));

    private static IDataView Questions(MLContext ml, int count) => ml.Data.LoadFromEnumerable(
        new ArithmeticProblemGenerator(Task, 1).Take(count).Select(p => new QuestionRow { Question = p.Prompt, Answer = p.Answer.ToString() }));

    private static IPpoTrainerOptions TinyIPpo(MLContext ml, Policy policy) => new()
    {
        InitialPolicy = policy, PromptColumnName = "Prompt", AnswerColumnName = "Answer", ValidationData = Gold(ml, 8),
        Judge = new ArithmeticJudge(), Influence = new InfluenceFilterOptions { MinKeptFraction = 0 },
        Ppo = OldPpoDefaults.Ppo with { Iterations = 3, EpisodesPerIteration = 8, MiniBatches = 2, MaxNewTokens = 12, Seed = 3 },
        Generation = new() { Temperature = 0, MaxNewTokens = 12 },
    };

    [Test]
    public void IGrpoTrainerRunsCriticFreeGroupsThroughThePipelineAndScoresEpisodes()
    {
        var ml = new MLContext(seed: 1);
        using var policy = TinyPolicy();
        var estimator = ml.Ippo().IGrpoTrainer(TinyIPpo(ml, policy));
        Assert.That(estimator.Options.Ppo.AdvantageEstimator, Is.EqualTo("grpo"));
        Assert.That(estimator.Options.Ppo.Iterations, Is.EqualTo(3), "the run length is kept");
        var model = ml.Transforms.CopyColumns("Prompt", "Question").Append(estimator).Fit(Questions(ml, 20));
        var history = model.LastTransformer.History;

        Assert.That(history, Has.Count.EqualTo(3));
        foreach (var m in history)
        {
            Assert.That(m.Values.ContainsKey(MetricNames.ValueLoss), Is.False, "no critic, no value loss");
            Assert.That(m.Values.ContainsKey(Ippo.MLNet.Core.Algorithms.GrpoMetricNames.FracRewardZeroStd));
            Assert.That(m.Values.ContainsKey(MetricNames.ScoreMean), "the influence filter scored the episodes");
            Assert.That(m[MetricNames.Episodes], Is.EqualTo(8));
        }
    }

    [Test]
    public void IPpoTrainerAppendsToAPipelineAndReportsInfluenceDiagnosticsPerIteration()
    {
        var ml = new MLContext(seed: 1);
        using var policy = TinyPolicy();
        var model = ml.Transforms.CopyColumns("Prompt", "Question").Append(ml.Ippo().IPpoTrainer(TinyIPpo(ml, policy))).Fit(Questions(ml, 20));
        var ippo = model.LastTransformer;

        Assert.That(ippo.History, Has.Count.EqualTo(3));
        foreach (var m in ippo.History)
        {
            Assert.That(m[MetricNames.KeptFraction], Is.EqualTo(m[MetricNames.KeptEpisodes] / 8).And.InRange(0.0, 1.0));
            Assert.That(m[MetricNames.ScoreStd], Is.GreaterThan(0), "episodes were scored, and differ");
            Assert.That(m[MetricNames.ScoreMax], Is.GreaterThan(m[MetricNames.ScoreMin]));
            Assert.That(m.Values.ContainsKey(MetricNames.CorrectFraction), "the judge labels episodes");
        }
        var history = ml.Ippo().TrainingHistory(ippo);
        var kept = history.GetColumn<string>("Metric").Zip(history.GetColumn<double>("Value")).Where(p => p.First == MetricNames.KeptFraction).Select(p => p.Second);
        Assert.That(kept, Is.EqualTo(ippo.History.Select(m => m[MetricNames.KeptFraction])));
        Assert.That(history.GetColumn<int>("Iteration").Distinct(), Is.EqualTo(new[] { 1, 2, 3 }));
    }

    [Test]
    public void IPpoTrainerRejectsAnEmptyOrMalformedValidationViewBeforeTraining()
    {
        var ml = new MLContext(seed: 1);
        using var policy = TinyPolicy();
        var empty = ml.Data.LoadFromEnumerable(Array.Empty<SftRow>());
        var error = Assert.Throws<ArgumentException>(() => ml.Ippo().IPpoTrainer(TinyIPpo(ml, policy) with { ValidationData = empty }))!;
        Assert.That(error.Message, Does.Contain("validation view").And.Contain("empty"));
        error = Assert.Throws<ArgumentException>(() => ml.Ippo().IPpoTrainer(TinyIPpo(ml, policy) with { ValidationCompletionColumnName = "Gold" }))!;
        Assert.That(error.Message, Does.Contain("'Gold'"));
        error = Assert.Throws<ArgumentException>(() => ml.Ippo().IPpoTrainer(TinyIPpo(ml, policy) with { ValidationData = null }))!;
        Assert.That(error.Message, Does.Contain("ValidationData is required"));
    }

    [Test]
    public void InfluenceFilterTransformKeepsEpisodesAlignedWithTheGoldTracesAndDropsAntiAlignedOnes()
    {
        // Replaying a gold trace with advantage +1 moves the policy toward it (helps); with -1, away from it (hurts).
        var ml = new MLContext(seed: 1);
        using var policy = TinyPolicy(seed: 2);
        var gold = ArithmeticDefaults.GoldTraces(Task, 6, seed: 5);
        var episodes = ml.Data.LoadFromEnumerable(gold.SelectMany((t, i) => new[]
        {
            new EpisodeRow { Prompt = t.Prompt, Completion = t.Completion, Advantage = 1f, Id = 2 * i },
            new EpisodeRow { Prompt = t.Prompt, Completion = t.Completion, Advantage = -1f, Id = 2 * i + 1 },
        }).ToList());
        var options = new InfluenceFilterEstimatorOptions { Policy = policy, ValidationData = Gold(ml, 6) };

        using var filter = ml.Ippo().InfluenceFilter(options).Fit(episodes);
        var kept = filter.Transform(episodes);
        using var all = ml.Ippo().InfluenceFilter(options with { DropRejected = false }).Fit(episodes);
        var flagged = all.Transform(episodes);

        Assert.That(kept.GetColumn<float>("Advantage"), Has.All.EqualTo(1f));
        Assert.That(kept.GetColumn<int>("Id").Count(), Is.EqualTo(6), "the other input columns pass through");
        Assert.That(kept.GetColumn<float>("InfluenceWeight").Average(), Is.EqualTo(1.0).Within(1e-5));
        Assert.That(flagged.GetColumn<bool>("InfluenceKept"), Is.EqualTo(Enumerable.Range(0, 12).Select(i => i % 2 == 0)));
        Assert.That(flagged.GetColumn<double>("InfluenceScore"), Is.EqualTo(all.Score(episodes)));
        var scores = all.Score(episodes);
        for (int i = 0; i < 12; i += 2) Assert.That(scores[i + 1], Is.EqualTo(-scores[i]).Within(1e-4 * Math.Abs(scores[i])), "advantage -1 flips the gradient");
    }

    [Test]
    public void InfluenceFilterNamesAMissingOrWrongTypedAdvantageColumn()
    {
        var ml = new MLContext(seed: 1);
        using var policy = TinyPolicy();
        var view = Gold(ml, 3);
        using var filter = ml.Ippo().InfluenceFilter(new InfluenceFilterEstimatorOptions { Policy = policy, ValidationData = view }).Fit(view);
        var error = Assert.Throws<ArgumentException>(() => filter.Transform(view))!;
        Assert.That(error.Message, Does.Contain("'Advantage'").And.Contain("AdvantageColumnName"));
        using var byCompletion = ml.Ippo().InfluenceFilter(new InfluenceFilterEstimatorOptions { Policy = policy, ValidationData = view, AdvantageColumnName = "Completion" }).Fit(view);
        error = Assert.Throws<ArgumentException>(() => byCompletion.Transform(view))!;
        Assert.That(error.Message, Does.Contain("must be a scalar Single"));
    }
}
