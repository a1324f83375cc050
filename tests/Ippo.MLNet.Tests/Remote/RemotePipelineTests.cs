using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Rollouts.Remote;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using Ippo.MLNet.Tests.MLNet;
using Ippo.MLNet.Tests.RlMoves;
using Microsoft.ML;
using NUnit.Framework;
using static Ippo.MLNet.Tests.Reliability.ReliabilityFixtures;
using static Ippo.MLNet.Tests.Remote.RemoteFixtures;

namespace Ippo.MLNet.Tests.Remote;

/// <summary>The ML.NET PPO estimator passes <see cref="Ippo.MLNet.PpoTrainerOptions.RolloutEngine"/> to the trainer.</summary>
public class RemotePipelineTests
{
    private static Policy Tiny() =>
        ArithmeticDefaults.NewPolicy(ArithmeticDefaults.ModelConfig(1) with { Width = 32, Layers = 1, Heads = 2, ContextLength = 32 });

    private static IReadOnlyList<PpoIterationMetrics> Fit(Core.Rollouts.IRolloutEngine? engine)
    {
        var ml = new MLContext(seed: 1);
        using var policy = Tiny();
        var data = ml.Data.LoadFromEnumerable(new ArithmeticProblemGenerator(new ArithmeticTaskOptions { MinOperations = 2, MaxOperations = 2, MaxOperand = 9, MaxResult = 20 }, 1)
            .Take(20).Select(p => new QuestionRow { Question = p.Prompt, Answer = p.Answer.ToString() }));
        var options = new Ippo.MLNet.PpoTrainerOptions
        {
            InitialPolicy = policy, PromptColumnName = "Question", AnswerColumnName = "Answer", Lora = Adapters, RolloutEngine = engine,
            Ppo = OldPpoDefaults.Ppo with { Iterations = 2, EpisodesPerIteration = 8, MiniBatches = 2, MaxNewTokens = 12, Seed = 3 },
            Generation = new() { Temperature = 0, MaxNewTokens = 12 },
        };
        var model = ml.Ippo().PpoTrainer(options).Fit(data);
        using var _ = model;
        return model.History;
    }

    [Test]
    public void APipelineWithTheRemoteEngineTrainsAsTheInProcessOne()
    {
        var dir = TempFolder();
        try
        {
            var expected = Fit(null);
            using var server = new FakeVllm(Tiny());
            using var engine = new OpenAiCompletionsRolloutEngine(Options(server.Server.BaseUrl, new LoraAdapterSync(dir)));
            var history = Fit(engine);
            Assert.That(server.SampledModels, Has.Count.EqualTo(2), "both rollouts came from the server");
            Assert.That(history.Select(m => WithoutTimes(m)), Is.EqualTo(expected.Select(m => WithoutTimes(m))));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
