using System.Text.Json.Nodes;
using Ippo.MLNet.Core.Checkpoints;
using Ippo.MLNet.Core.Generation;
using Ippo.MLNet.Core.Influence;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using Ippo.MLNet.Core.Training;
using Ippo.MLNet.Tests.Influence;
using Ippo.MLNet.Tests.Ppo;
using NUnit.Framework;
using TorchSharp;
using static Ippo.MLNet.Tests.Reliability.ReliabilityFixtures;
using static TorchSharp.torch;

namespace Ippo.MLNet.Tests.Seam;

/// <summary>
/// The model seam: an architecture defined only here (<see cref="TinyTestModel"/>, model_type "test-tiny"), registered
/// once, goes through SFT, PPO with either critic, I-PPO's influence scores, checkpoints and policy folders with no
/// change in the library. Its vocabulary (24 rows) is larger than the arithmetic tokenizer's 20 ids, as real checkpoints'.
/// </summary>
public class SeamTests
{
    private const int TokenizerSize = 20;
    private string _dir = "";

    [OneTimeSetUp]
    public void RegisterTheTestArchitecture() => TinyTestArchitecture.Register();

    [SetUp]
    public void CreateFolder() => _dir = Directory.CreateTempSubdirectory("ippo-seam-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_dir, recursive: true);

    private static TinyTestConfig Config(long seed = 4) => new() { VocabSize = 24, ContextLength = 48, HiddenSize = 32, InitSeed = seed };

    private static Policy NewPolicy(long seed = 4) => ArithmeticDefaults.NewPolicy(Config(seed));

    [Test]
    public void TheRegistryBuildsTheTestArchitectureByItsModelType()
    {
        using var policy = NewPolicy();
        Assert.That(ModelRegistry.SupportedModelTypes, Does.Contain(TinyTestConfig.Type).And.Contain(GptArchitecture.ModelType));
        Assert.That(policy.Model, Is.TypeOf<TinyTestModel>());
        Assert.That(policy.Tokenizer.VocabSize, Is.EqualTo(TokenizerSize));
        Assert.That(policy.DrawableVocabSize, Is.EqualTo(TokenizerSize), "a tokenizer smaller than the embedding is accepted");
    }

    [Test]
    public void SftStepsLowerTheLossOfTheTestArchitecture()
    {
        using var policy = NewPolicy();
        var corpus = ArithmeticDefaults.Tokenize(policy, ArithmeticDefaults.GoldTraces(PpoEndToEndTests.EasyTask, 64, seed: 3));
        double Loss()
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            using var batch = TrainingBatch.Collate(corpus, policy.Tokenizer.PadId, CPU);
            return SftLoss.Compute(policy.Model, batch).ToDouble();
        }
        double before = Loss();
        SftTrainer.Train(policy.Model, corpus, policy.Tokenizer.PadId, new SftOptions { Steps = 60, BatchSize = 16, LearningRate = 1e-2, WarmupSteps = 5 });
        double after = Loss();
        TestContext.Out.WriteLine($"SFT loss {before:F4} -> {after:F4}");
        Assert.That(after, Is.LessThan(0.8 * before), "60 steps on gold traces learn at least the token statistics");
    }

    [TestCase(ValueHeadPlacement.SeparateCritic)]
    [TestCase(ValueHeadPlacement.SharedTrunk)]
    public void PpoTrainsTheTestArchitectureWithEitherCritic(ValueHeadPlacement placement)
    {
        using var policy = NewPolicy();
        var initial = Weights(policy.Model);
        using var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), Small with { Iterations = 2, ValueHead = placement });
        using (var buffer = trainer.CollectRollout(Prompts, new Dictionary<string, double>()))
            Assert.That(buffer.ResponseTokens.max().item<long>(), Is.LessThan(TokenizerSize), "rollouts draw only the tokenizer's ids");

        var history = trainer.Train(Prompts).History;

        Assert.That(history, Has.Count.EqualTo(2));
        foreach (var name in new[] { MetricNames.Kl, MetricNames.PolicyLoss, MetricNames.ValueLoss })
            Assert.That(history.Select(m => m[name]), Is.All.Matches<double>(double.IsFinite), name);
        Assert.That(Differences(initial, Weights(policy.Model)), Is.Not.Empty, "the policy moved");
        if (placement == ValueHeadPlacement.SeparateCritic)
        {
            var critic = trainer.Critic!;
            Assert.That(critic.Model, Is.TypeOf<TinyTestModel>().And.Not.SameAs(policy.Model));
            var criticModel = Weights(critic.Model);
            Assert.That(Differences(initial, criticModel), Is.Not.Empty, "the critic's own copy was trained by the value loss");
            Assert.That(critic.state_dict()["value_head.summary.weight"].abs().max().item<float>(), Is.GreaterThan(0f));
        }
        else
        {
            Assert.That(trainer.Critic, Is.Null);
        }
    }

    [Test]
    public void FastInfluenceEqualsNaiveOnTheTestArchitectureInFloat64()
    {
        using var scope = NewDisposeScope();
        using var model = new TinyTestModel(Config(seed: 12));
        model.to(ScalarType.Float64);
        var settings = new EpisodeLossSettings(0.2, 0.28, 3.0, LossAggregation.TokenMean);
        var episodes = InfluenceFixtures.Episodes(model, ScalarType.Float64, seed: 5);
        using var validation = InfluenceFixtures.ValidationGradientOf(model);

        var fast = InfluenceScoring.Fast(model, episodes, validation, settings);
        var naive = InfluenceScoring.Naive(model, episodes, validation, settings);

        Assert.That(naive.Count(s => s > 0), Is.InRange(1, naive.Length - 1), "the fixture has helpful and harmful episodes");
        // Both routes sum the same ~1e3 float64 products in different orders: rounding stays near 1e-13 relative.
        Assert.That(InfluenceFixtures.MaxRelativeError(fast, naive), Is.LessThanOrEqualTo(1e-9));
    }

    [Test]
    public void AnInterruptedIPpoRunResumesBitExactlyOnTheTestArchitecture()
    {
        var options = Small with { Iterations = 4, AdaptiveKlTarget = 0.05, AdaptiveKlHorizon = 100 };
        var filterOptions = new InfluenceFilterOptions { MinKeptFraction = 0, RecomputeValidationEvery = 2 };
        Dictionary<string, Tensor> straightPolicy, straightCritic;
        List<Dictionary<string, double>> straightHistory;
        using (var policy = NewPolicy())
        using (var filter = Filter(policy, filterOptions))
        using (var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), options, filter))
        {
            trainer.Train(Prompts);
            (straightPolicy, straightCritic, straightHistory) = (Weights(policy.Model), Weights(trainer.Critic!), trainer.History.Select(WithoutTimes).ToList());
        }

        var folder = Path.Combine(_dir, "checkpoint");
        using (var policy = NewPolicy())
        using (var filter = Filter(policy, filterOptions))
        using (var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), options with { CheckpointFolder = folder, CheckpointEvery = 2 }, filter))
        {
            trainer.Step(Prompts);
            trainer.Step(Prompts);
            trainer.SaveCheckpoint(folder);
        }
        var saved = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, PpoTrainer.TrainerStateFile)))!["Model"]!;
        Assert.That(saved["model_type"]!.GetValue<string>(), Is.EqualTo(TinyTestConfig.Type));

        // A new process: other initial weights (init_seed is not part of the model's shape), a new trainer, the checkpoint.
        using var fresh = NewPolicy(seed: 99);
        using var freshFilter = Filter(fresh, filterOptions);
        using var resumed = new PpoTrainer(fresh, ArithmeticReward.Create(), options, freshFilter);
        resumed.LoadCheckpoint(folder);
        resumed.Train(Prompts);

        Assert.That(Differences(straightPolicy, Weights(fresh.Model)), Is.Empty, "policy tensors that differ");
        Assert.That(Differences(straightCritic, Weights(resumed.Critic!)), Is.Empty, "critic tensors that differ");
        var history = resumed.History.Select(WithoutTimes).ToList();
        for (int i = 0; i < options.Iterations; i++)
        {
            history[i].Remove(MetricNames.CheckpointWritten);
            straightHistory[i].Remove(MetricNames.CheckpointWritten);
            Assert.That(history[i], Is.EqualTo(straightHistory[i]), $"metrics of iteration {i + 1}");
        }
    }

    [Test]
    public void ResumingIntoAnotherShapeNamesTheFieldsThatDiffer()
    {
        var folder = Path.Combine(_dir, "checkpoint");
        using (var policy = NewPolicy())
        using (var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), Small))
        {
            trainer.Step(Prompts);
            trainer.SaveCheckpoint(folder);
        }
        using var narrow = ArithmeticDefaults.NewPolicy(Config(seed: 9) with { HiddenSize = 16 });
        using var other = new PpoTrainer(narrow, ArithmeticReward.Create(), Small);

        var error = Assert.Throws<InvalidDataException>(() => other.LoadCheckpoint(folder))!;

        Assert.That(error.Message, Does.Contain("hidden_size is 32 there and 16 here"));
        Assert.That(error.Message, Does.Not.Contain("init_seed"), "the init seed chooses weights, not the shape");
    }

    [Test]
    public void APolicyFolderCarriesItsModelTypeAndLoadsBackIdentically()
    {
        var folder = Path.Combine(_dir, "policy");
        using var policy = NewPolicy(seed: 21);
        policy.Save(folder);

        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, PolicyCheckpoint.ConfigFile)))!.AsObject();
        Assert.That(config["model_type"]!.GetValue<string>(), Is.EqualTo(TinyTestConfig.Type));
        Assert.That(config["hidden_size"]!.GetValue<int>(), Is.EqualTo(32));
        using var loaded = Policy.Load(folder);
        Assert.That(loaded.Model, Is.TypeOf<TinyTestModel>());
        Assert.That(loaded.Model.Config, Is.EqualTo(policy.Model.Config));
        Assert.That(Logits(loaded.Model), Is.EqualTo(Logits(policy.Model)), "the same code on the same weights");
        using var clone = policy.Clone();
        Assert.That(Logits(clone.Model), Is.EqualTo(Logits(policy.Model)), "Clone copies the weights of any architecture");
    }

    [Test]
    public void GenerationNeverDrawsIdsBeyondTheTokenizer()
    {
        using var policy = NewPolicy();
        // Every hidden state becomes e_0, so the logits are column 0 of the head: 10 for the four padding rows, 1 for id 5.
        var head = Enumerable.Range(0, 24).Select(id => id >= TokenizerSize ? 10f : id == 5 ? 1f : 0f).ToArray();
        using (no_grad())
        {
            var state = policy.Model.state_dict();
            state["norm.weight"].zero_();
            state["norm.bias"].copy_(tensor(Enumerable.Range(0, 32).Select(i => i == 0 ? 1f : 0f).ToArray()));
            state["lm_head.weight"].zero_();
            state["lm_head.weight"].narrow(1, 0, 1).copy_(tensor(head).unsqueeze(1));
        }
        var prompts = Prompts.Take(8).Select(p => policy.EncodePrompt(p.Prompt)).ToList();
        var greedyOptions = new GenerationOptions { Temperature = 0, MaxNewTokens = 6 };
        var sampledOptions = new GenerationOptions { Temperature = 1, MaxNewTokens = 10 };

        using var limited = new TextGenerator(policy, seed: 3);
        using var unlimited = new TextGenerator(policy.Model, policy.Tokenizer.PadId, policy.Tokenizer.EosId, seed: 3);
        using var greedy = limited.Generate(prompts, greedyOptions);
        using var sampled = limited.Generate(prompts, sampledOptions);
        using var greedyUnlimited = unlimited.Generate(prompts, greedyOptions);
        using var sampledUnlimited = unlimited.Generate(prompts, sampledOptions);

        Assert.That(greedyUnlimited.Tokens.min().item<long>(), Is.GreaterThanOrEqualTo(TokenizerSize), "without the limit the padding rows win");
        Assert.That(sampledUnlimited.Tokens.max().item<long>(), Is.GreaterThanOrEqualTo(TokenizerSize));
        Assert.That(greedy.Tokens.data<long>().ToArray(), Is.All.EqualTo(5L));
        Assert.That(sampled.Tokens.max().item<long>(), Is.LessThan(TokenizerSize));
        // The reported log-prob is over the whole vocabulary, as SequenceScoring recomputes it: 1 - ln(19 + e + 4 e^10).
        double expected = 1 - Math.Log(19 + Math.E + 4 * Math.Exp(10));
        Assert.That(greedy.LogProbs.data<float>().ToArray(), Is.All.EqualTo(expected).Within(1e-5), "float32 log_softmax of values near 10");
    }

    [Test]
    public void TheKvCacheGivesTheTokensOfRecomputingTheWholeSequence()
    {
        using var policy = NewPolicy(seed: 11);
        using var generator = new TextGenerator(policy);
        var prompts = Prompts.Take(6).Select(p => policy.EncodePrompt(p.Prompt)).ToList();
        foreach (var options in new[] { new GenerationOptions { Temperature = 0, MaxNewTokens = 12 }, new GenerationOptions { Temperature = 1, MaxNewTokens = 12 } })
        {
            generator.Reseed(7);
            using var cached = generator.Generate(prompts, options);
            generator.Reseed(7);
            using var uncached = generator.Generate(prompts, options with { UseKvCache = false });
            Assert.That(cached.Tokens.data<long>().ToArray(), Is.EqualTo(uncached.Tokens.data<long>().ToArray()), $"temperature {options.Temperature}");
            // The cached path averages the same embeddings in another matmul shape: float32 rounding only.
            Assert.That(cached.LogProbs.data<float>().ToArray(), Is.EqualTo(uncached.LogProbs.data<float>().ToArray()).Within(1e-5));
        }
    }

    private static float[] Logits(CausalLanguageModel model)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        model.eval();
        var tokens = tensor(new long[] { 0, 3, 4, 5, 6, 7, 8, 9 }, new long[] { 2, 4 });
        var mask = tensor(new float[] { 0, 1, 1, 1, 1, 1, 1, 1 }, new long[] { 2, 4 });
        return model.Forward(tokens, mask).data<float>().ToArray();
    }
}
