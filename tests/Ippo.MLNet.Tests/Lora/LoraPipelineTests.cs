using Ippo.MLNet.Core.Influence;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Models.Lora;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using Ippo.MLNet.Core.Training;
using Ippo.MLNet.Tests.MLNet;
using Microsoft.ML;
using NUnit.Framework;
using static Ippo.MLNet.Tests.Reliability.ReliabilityFixtures;

namespace Ippo.MLNet.Tests.Lora;

/// <summary>The ML.NET trainers' <c>Lora</c> option: the fitted policy has adapters, and only they moved.</summary>
public class LoraPipelineTests
{
    private static readonly ArithmeticTaskOptions Task = new() { MinOperations = 2, MaxOperations = 2, MaxOperand = 9, MaxResult = 20 };
    private static readonly LoraOptions Adapters = new() { Rank = 4, Alpha = 8, TargetModules = new[] { "c_attn", "c_fc" } };

    private static Policy TinyPolicy() =>
        ArithmeticDefaults.NewPolicy(ArithmeticDefaults.ModelConfig(1) with { Width = 32, Layers = 1, Heads = 2, ContextLength = 32 });

    private static IDataView Questions(MLContext ml, int count) => ml.Data.LoadFromEnumerable(
        new ArithmeticProblemGenerator(Task, 1).Take(count).Select(p => new QuestionRow { Question = p.Prompt, Answer = p.Answer.ToString() }));

    private static void AssertOnlyAdaptersMoved(Policy initial, Policy fitted)
    {
        Assert.That(initial.Model.Lora, Is.Null, "the initial policy is left as it was");
        Assert.That(fitted.Model.Lora, Is.Not.Null);
        Assert.That(fitted.Model.Lora!.ModuleNames, Is.EqualTo(new[] { "transformer.h.0.attn.c_attn", "transformer.h.0.mlp.c_fc" }));
        var before = Weights(initial.Model);
        var after = Weights(fitted.Model);
        var baseAfter = after.Where(kv => !LoraAdapters.IsAdapterParameter(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.That(baseAfter.Keys, Is.EquivalentTo(before.Keys));
        Assert.That(Differences(before, baseAfter), Is.Empty, "no base weight moved");
        Assert.That(after.Where(kv => kv.Key.EndsWith("lora_B.weight")).Any(kv => kv.Value.abs().max().item<float>() > 0), Is.True, "the adapters trained");
    }

    [Test]
    public void APpoPipelineWithLoraTrainsOnlyTheAdapters()
    {
        var ml = new MLContext(seed: 1);
        using var policy = TinyPolicy();
        var options = new PpoTrainerOptions
        {
            InitialPolicy = policy, AnswerColumnName = "Answer", Lora = Adapters,
            Ppo = new PpoOptions { Iterations = 2, EpisodesPerIteration = 8, MiniBatches = 2, MaxNewTokens = 12, Seed = 3, LearningRate = 1e-2 },
            Generation = new() { Temperature = 0, MaxNewTokens = 12 },
        };
        var model = ml.Transforms.CopyColumns("Prompt", "Question").Append(ml.Ippo().PpoTrainer(options)).Fit(Questions(ml, 20));
        AssertOnlyAdaptersMoved(policy, model.LastTransformer.Policy);
        model.LastTransformer.Dispose();
    }

    [Test]
    public void AnIGrpoPipelineWithLoraScoresEpisodesOverTheAdapters()
    {
        var ml = new MLContext(seed: 1);
        using var policy = TinyPolicy();
        var gold = ml.Data.LoadFromEnumerable(ArithmeticDefaults.GoldTraces(Task, 8, 5).Select(t => new SftRow { Prompt = t.Prompt, Completion = t.Completion }));
        var options = new IPpoTrainerOptions
        {
            InitialPolicy = policy, AnswerColumnName = "Answer", Lora = Adapters, ValidationData = gold,
            Influence = new InfluenceFilterOptions { MinKeptFraction = 0 },
            Ppo = new PpoOptions { Iterations = 2, EpisodesPerIteration = 8, MaxNewTokens = 12, Seed = 3, LearningRate = 1e-2 },
            Generation = new() { Temperature = 0, MaxNewTokens = 12 },
        };
        var model = ml.Transforms.CopyColumns("Prompt", "Question").Append(ml.Ippo().IGrpoTrainer(options)).Fit(Questions(ml, 20));
        Assert.That(model.LastTransformer.History.All(m => m.Values.ContainsKey(MetricNames.ScoreMean)), Is.True);
        AssertOnlyAdaptersMoved(policy, model.LastTransformer.Policy);
        model.LastTransformer.Dispose();
    }

    [Test]
    public void AnSftEstimatorWithLoraTrainsOnlyTheAdapters()
    {
        var ml = new MLContext(seed: 1);
        using var policy = TinyPolicy();
        var rows = new SftCorpusGenerator(Task, new SftCorpusOptions { GoldFraction = 1, UnfaithfulFraction = 0, WrongFraction = 0 }, 2).Take(64)
            .Select(e => new SftRow { Prompt = e.Prompt, Completion = e.Completion });
        using var fitted = ml.Ippo().Sft(new SftTrainerOptions
        {
            InitialPolicy = policy, Lora = Adapters, Sft = new SftOptions { Steps = 5, BatchSize = 8, LogEvery = 5 },
        }).Fit(ml.Data.LoadFromEnumerable(rows));
        AssertOnlyAdaptersMoved(policy, fitted.Policy);
    }

    [Test]
    public void LoraOnAPolicyThatHasAdaptersIsRejected()
    {
        var ml = new MLContext(seed: 1);
        using var policy = TinyPolicy();
        LoraAdapters.Apply(policy.Model, Adapters);
        Assert.That(() => ml.Ippo().PpoTrainer(new PpoTrainerOptions { InitialPolicy = policy, Lora = Adapters }),
            Throws.ArgumentException.With.Message.Contains("PpoTrainerOptions.Lora"));
        Assert.That(() => ml.Ippo().PpoTrainer(new PpoTrainerOptions { InitialPolicy = policy, Lora = Adapters with { Rank = 0 } }),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("Rank"));
    }
}
