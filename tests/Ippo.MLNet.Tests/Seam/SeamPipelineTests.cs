using Ippo.MLNet.Tests.RlMoves;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using Ippo.MLNet.Core.Training;
using Ippo.MLNet.Tests.MLNet;
using Ippo.MLNet.Tests.Ppo;
using Microsoft.ML;
using Microsoft.ML.Data;
using NUnit.Framework;

namespace Ippo.MLNet.Tests.Seam;

/// <summary>The ML.NET layer on the test-only architecture: SFT from its config, PPO, and a model zip saved and loaded.</summary>
public class SeamPipelineTests
{
    private string _dir = "";

    [OneTimeSetUp]
    public void RegisterTheTestArchitecture() => TinyTestArchitecture.Register();

    [SetUp]
    public void CreateFolder() => _dir = Directory.CreateTempSubdirectory("ippo-seam-mlnet-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void SftThenPpoThenSaveAndLoadKeepTheTestArchitecture()
    {
        var ml = new MLContext(seed: 1);
        var rows = ArithmeticDefaults.GoldTraces(PpoEndToEndTests.EasyTask, 64, seed: 2).Select(e => new SftRow { Prompt = e.Prompt, Completion = e.Completion });
        using var sft = ml.Ippo().Sft(new SftTrainerOptions
        {
            ModelConfig = new TinyTestConfig { VocabSize = 24, ContextLength = 48, HiddenSize = 32, InitSeed = 3 },
            Sft = new SftOptions { Steps = 20, BatchSize = 16, LearningRate = 1e-2, WarmupSteps = 2 },
        }).Fit(ml.Data.LoadFromEnumerable(rows));
        Assert.That(sft.Policy.Model, Is.TypeOf<TinyTestModel>(), "SftTrainerOptions.ModelConfig builds any registered architecture");

        var questions = ml.Data.LoadFromEnumerable(ArithmeticDefaults.HeldOutPrompts(PpoEndToEndTests.EasyTask, 12, seed: 5)
            .Select(p => new QuestionRow { Question = p.Prompt, Answer = p.Reference! }));
        var model = ml.Transforms.CopyColumns("Prompt", "Question").Append(ml.Ippo().PpoTrainer(new PpoTrainerOptions
        {
            InitialPolicy = sft.Policy, AnswerColumnName = "Answer",
            Ppo = OldPpoDefaults.Ppo with { Iterations = 1, EpisodesPerIteration = 8, MaxNewTokens = 10, Seed = 3 },
            Generation = new() { Temperature = 0, MaxNewTokens = 10 },
        })).Fit(questions);
        var path = Path.Combine(_dir, "model.zip");
        ml.Ippo().SaveModel(model, questions.Schema, path);

        var loaded = new MLContext(seed: 2).Ippo().LoadModel(path, out _);
        var loadedPolicy = ((IEnumerable<ITransformer>)loaded).OfType<PolicyTransformer>().Single().Policy;
        Assert.That(loadedPolicy.Model, Is.TypeOf<TinyTestModel>());
        Assert.That(loaded.Transform(questions).GetColumn<string>("Completion"), Is.EqualTo(model.Transform(questions).GetColumn<string>("Completion")));
    }
}
