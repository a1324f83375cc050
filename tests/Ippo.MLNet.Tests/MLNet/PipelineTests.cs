using Ippo.MLNet.Tests.RlMoves;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Rewards;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using Ippo.MLNet.Core.Training;
using Microsoft.ML;
using Microsoft.ML.Data;
using NUnit.Framework;

namespace Ippo.MLNet.Tests.MLNet;

public class PipelineTests
{
    private static readonly ArithmeticTaskOptions Task = new() { MinOperations = 2, MaxOperations = 2, MaxOperand = 9, MaxResult = 20 };
    private string _dir = "";

    [SetUp]
    public void CreateFolder() => _dir = Directory.CreateTempSubdirectory("ippo-mlnet-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_dir, recursive: true);

    private static Policy TinyPolicy(long seed = 1) =>
        ArithmeticDefaults.NewPolicy(ArithmeticDefaults.ModelConfig(seed) with { Width = 32, Layers = 1, Heads = 2, ContextLength = 32 });

    private static IDataView Questions(MLContext ml, int count, int seed = 1) => ml.Data.LoadFromEnumerable(
        new ArithmeticProblemGenerator(Task, seed).Take(count).Select(p => new QuestionRow { Question = p.Prompt, Answer = p.Answer.ToString() }));

    private static PpoTrainerOptions TinyPpo(Policy policy, RewardFunction? reward = null) => new()
    {
        InitialPolicy = policy, PromptColumnName = "Prompt", AnswerColumnName = "Answer", Reward = reward,
        Ppo = OldPpoDefaults.Ppo with { Iterations = 2, EpisodesPerIteration = 8, MiniBatches = 2, MaxNewTokens = 12, Seed = 3 },
        Generation = new() { Temperature = 0, MaxNewTokens = 12 },
    };

    [Test]
    public void APpoPipelineFitsOnAPromptViewAndAddsCompletionColumns()
    {
        var ml = new MLContext(seed: 1);
        using var policy = TinyPolicy();
        var seen = new List<PpoIterationMetrics>();
        var pipeline = ml.Transforms.CopyColumns("Prompt", "Question")
            .Append(ml.Ippo().PpoTrainer(TinyPpo(policy) with { OnIteration = seen.Add }));
        var data = Questions(ml, 20);
        var model = pipeline.Fit(data);
        var ppo = model.LastTransformer;

        Assert.That(seen.Select(m => m.Iteration), Is.EqualTo(new[] { 1, 2 }));
        Assert.That(ppo.History, Has.Count.EqualTo(2));
        var output = model.Transform(data);
        var completions = output.GetColumn<string>("Completion").ToList();
        var prompts = output.GetColumn<string>("Prompt").ToList();
        Assert.That(completions, Has.Count.EqualTo(20));
        Assert.That(completions, Is.EqualTo(ppo.Complete(prompts)), "row-by-row Transform equals batched generation (greedy)");
        var tokens = output.GetColumn<int[]>("CompletionTokens").First();
        Assert.That(ppo.Policy.Tokenizer.Decode(tokens), Is.EqualTo(completions[0]));
        Assert.That(output.GetColumn<float>("CompletionLogProb"), Has.All.LessThanOrEqualTo(0f));
        Assert.That(policy.Model.state_dict()["transformer.wte.weight"].equal(ppo.Policy.Model.state_dict()["transformer.wte.weight"]).all().item<bool>(), Is.False,
            "PPO trained a copy; the initial policy is unchanged and the fitted one moved");
    }

    [Test]
    public void SftEstimatorFitsOnPromptAndCompletionColumns()
    {
        var ml = new MLContext(seed: 1);
        var rows = new SftCorpusGenerator(Task, new SftCorpusOptions { GoldFraction = 1, UnfaithfulFraction = 0, WrongFraction = 0 }, 2).Take(200)
            .Select(e => new SftRow { Prompt = e.Prompt, Completion = e.Completion });
        var data = ml.Data.LoadFromEnumerable(rows);
        var losses = new List<double>();
        using var model = ml.Ippo().Sft(new SftTrainerOptions
        {
            InitialPolicy = TinyPolicy(), Sft = new SftOptions { Steps = 60, BatchSize = 16, LearningRate = 3e-3, LogEvery = 20 },
            OnProgress = p => losses.Add(p.Loss),
        }).Fit(data);
        Assert.That(losses, Has.Count.EqualTo(3));
        Assert.That(losses[^1], Is.LessThan(losses[0]));
        var output = model.Transform(data);
        Assert.That(output.Schema.GetColumnOrNull("GeneratedCompletion"), Is.Null, "SFT writes Completion, as PPO does");
        var prompts = output.GetColumn<string>("Prompt").Take(4).ToList();
        Assert.That(output.GetColumn<string>("Completion").Take(4), Is.EqualTo(model.Complete(prompts)), "the visible Completion column is the generated one");
        Assert.That(output.Schema.Count(c => c.Name == "Completion"), Is.EqualTo(2), "the training column is kept, hidden");
    }

    [Test]
    public void SaveAndLoadRestoresThePolicyExactly()
    {
        var ml = new MLContext(seed: 1);
        using var policy = TinyPolicy(seed: 4);
        var data = Questions(ml, 12);
        var model = ml.Transforms.CopyColumns("Prompt", "Question").Append(ml.Ippo().PpoTrainer(TinyPpo(policy))).Fit(data);
        var path = Path.Combine(_dir, "model.zip");
        ml.Ippo().SaveModel(model, data.Schema, path);

        var fresh = new MLContext(seed: 2);
        var loaded = fresh.Ippo().LoadModel(path, out var schema);
        Assert.That(schema.GetColumnOrNull("Question"), Is.Not.Null);
        var before = model.Transform(data).GetColumn<string>("Completion").ToList();
        var after = loaded.Transform(data).GetColumn<string>("Completion").ToList();
        Assert.That(after, Is.EqualTo(before));
        var loadedPolicy = ((IEnumerable<ITransformer>)loaded).OfType<PolicyTransformer>().Single();
        foreach (var (name, tensor) in model.LastTransformer.Policy.Model.state_dict())
            Assert.That(tensor.equal(loadedPolicy.Policy.Model.state_dict()[name]).all().item<bool>(), Is.True, name);
    }

    [Test]
    public void LoadingWithPlainMLNetSaysHowToLoadInstead()
    {
        var ml = new MLContext(seed: 1);
        using var policy = TinyPolicy();
        var data = Questions(ml, 8);
        var model = ml.Transforms.CopyColumns("Prompt", "Question").Append(ml.Ippo().PpoTrainer(TinyPpo(policy) with { Ppo = TinyPpo(policy).Ppo with { Iterations = 1 } })).Fit(data);
        var path = Path.Combine(_dir, "model.zip");
        ml.Ippo().SaveModel(model, data.Schema, path);
        ml.ComponentCatalog.RegisterAssembly(typeof(PolicyMappingFactory).Assembly);
        var plain = ml.Model.Load(path, out _);
        var error = Assert.Catch(() => plain.Transform(data).GetColumn<string>("Completion").ToList())!;
        Assert.That(error.ToString(), Does.Contain("mlContext.Ippo().LoadModel"));
    }

    [Test]
    public void AMissingColumnFailsBeforeTrainingWithItsName()
    {
        var ml = new MLContext();
        using var policy = TinyPolicy();
        var data = Questions(ml, 4);
        var iterations = 0;
        var estimator = ml.Ippo().PpoTrainer(TinyPpo(policy) with { OnIteration = _ => iterations++ });
        var error = Assert.Throws<ArgumentException>(() => estimator.Fit(data))!;
        Assert.That(iterations, Is.EqualTo(0));
        Assert.That(error.Message, Does.Contain("'Prompt'").And.Contain("PromptColumnName").And.Contain("'Question'"));
    }

    [Test]
    public void AWrongTypedColumnNamesTheExpectedType()
    {
        var ml = new MLContext();
        using var policy = TinyPolicy();
        var data = ml.Data.LoadFromEnumerable(new[] { new NumericRow { Prompt = 1 } });
        var error = Assert.Throws<ArgumentException>(() => ml.Ippo().PpoTrainer(TinyPpo(policy) with { AnswerColumnName = null }).Fit(data))!;
        Assert.That(error.Message, Does.Contain("'Prompt'").And.Contain("String").And.Contain("Single"));
    }

    [Test]
    public void AnEmptyPromptViewIsRejected()
    {
        var ml = new MLContext();
        using var policy = TinyPolicy();
        var empty = ml.Data.LoadFromEnumerable(Array.Empty<QuestionRow>());
        var pipeline = ml.Transforms.CopyColumns("Prompt", "Question").Append(ml.Ippo().PpoTrainer(TinyPpo(policy)));
        var error = Assert.Throws<ArgumentException>(() => pipeline.Fit(empty))!;
        Assert.That(error.Message, Does.Contain("empty"));
    }

    [Test]
    public void APromptLongerThanTheContextNamesTheRow()
    {
        var ml = new MLContext();
        using var policy = TinyPolicy();
        var rows = new[] { new QuestionRow { Question = "1+2=", Answer = "3" }, new QuestionRow { Question = string.Concat(Enumerable.Repeat("1+", 20)) + "1=", Answer = "21" } };
        var pipeline = ml.Transforms.CopyColumns("Prompt", "Question").Append(ml.Ippo().PpoTrainer(TinyPpo(policy)));
        var error = Assert.Throws<ArgumentException>(() => pipeline.Fit(ml.Data.LoadFromEnumerable(rows)))!;
        Assert.That(error.Message, Does.Contain("Row 1").And.Contain("context length 32"));
    }

    [TestCase(true)]
    [TestCase(false)]
    public void ABrokenRewardFunctionNamesTheRowAndWritesNothing(bool throws)
    {
        var ml = new MLContext();
        using var policy = TinyPolicy();
        RewardFunction reward = throws ? _ => throw new InvalidOperationException("grader offline") : _ => double.NaN;
        var output = Path.Combine(_dir, "never.zip");
        var pipeline = ml.Transforms.CopyColumns("Prompt", "Question").Append(ml.Ippo().PpoTrainer(TinyPpo(policy, reward)));
        var error = Assert.Throws<InvalidOperationException>(() =>
        {
            var model = pipeline.Fit(Questions(ml, 6));
            ml.Ippo().SaveModel(model, Questions(ml, 1).Schema, output);
        })!;
        Assert.That(error.Message, Does.Contain("prompt row").And.Contain(throws ? "grader offline" : "NaN"));
        Assert.That(File.Exists(output), Is.False);
    }

    [Test]
    public void InvalidOptionsAreRejectedBeforeAnyWork()
    {
        var ml = new MLContext();
        using var policy = TinyPolicy();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ml.Ippo().PpoTrainer(TinyPpo(policy) with { Ppo = OldPpoDefaults.Ppo with { ClipRangeLow = 1.5 } }))!;
        Assert.That(error.ParamName, Is.EqualTo("ClipRangeLow"));
        var missing = Assert.Throws<ArgumentException>(() => ml.Ippo().PpoTrainer(new PpoTrainerOptions()))!;
        Assert.That(missing.Message, Does.Contain("InitialPolicy"));
    }
}
