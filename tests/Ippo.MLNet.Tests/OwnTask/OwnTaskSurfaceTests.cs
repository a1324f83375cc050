using Ippo.MLNet.Core.Evaluation;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Training;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using NUnit.Framework;

namespace Ippo.MLNet.Tests.OwnTask;

/// <summary>What a user's own task meets in the ML.NET layer: a loaded policy as a transformer, generation lengths that
/// follow the model, defaults that name the option to set, and progress in the MLContext log.</summary>
public class OwnTaskSurfaceTests
{
    private string _dir = "";

    [SetUp]
    public void CreateFolder() => _dir = Directory.CreateTempSubdirectory("ippo-owntask-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_dir, recursive: true);

    private static IDataView View(MLContext ml, int count, int seed) =>
        ml.Data.LoadFromEnumerable(ReversalTask.Words(count, seed).Select(w => new WordRow { Prompt = w.Prompt, Answer = w.Answer }));

    private static SftTrainerOptions Sft(Policy policy, Action<SftProgress>? progress = null) => new()
    {
        InitialPolicy = policy, CompletionColumnName = "Answer",
        Sft = new SftOptions { Steps = 20, BatchSize = 8, LearningRate = 1e-2, WarmupSteps = 0, LogEvery = 5 },
        OnProgress = progress,
    };

    [Test]
    public void APolicyLoadResultBecomesATransformerThatGeneratesEvaluatesAndSavesLikeTheTrainedOne()
    {
        var ml = new MLContext(seed: 1);
        using var policy = ReversalTask.TinyPolicy();
        var data = View(ml, 24, seed: 1);
        using var trained = ml.Ippo().Sft(Sft(policy)).Fit(data);
        var folder = Path.Combine(_dir, "policy");
        trained.Policy.Save(folder);

        using var loaded = ml.Ippo().FromPolicy(Policy.Load(folder));
        var prompts = data.GetColumn<string>("Prompt").ToList();
        Assert.That(loaded.Transform(data).GetColumn<string>("Completion"), Is.EqualTo(trained.Complete(prompts)));
        var options = new EvaluationOptions { SamplesPerPrompt = 2, PassK = 2 };
        var a = ml.Ippo().Evaluate(trained, data, new ReversalTask.Judge(), options, answerColumnName: "Answer");
        var b = ml.Ippo().Evaluate(loaded, data, new ReversalTask.Judge(), options, answerColumnName: "Answer");
        Assert.That(b, Is.EqualTo(a), "same weights, same seed: the same metrics");

        var path = Path.Combine(_dir, "model.zip");
        ml.Ippo().SaveModel(loaded, data.Schema, path);
        var reloaded = (PolicyTransformer)ml.Ippo().LoadModel(path, out _);
        using (reloaded) Assert.That(reloaded.Complete(prompts), Is.EqualTo(trained.Complete(prompts)));
    }

    [Test]
    public void WithoutExplicitLengthsGenerationAndEvaluationFollowTheModelsContext()
    {
        var ml = new MLContext(seed: 1);
        using var policy = ReversalTask.TinyPolicy(contextLength: 8);
        using var model = ml.Ippo().FromPolicy(policy.Clone());
        var prompts = new[] { "abcd>", "ab>" }; // BOS + 5 and BOS + 3 tokens: 2 and 4 new tokens fit
        var ids = prompts.Select(policy.EncodePrompt).ToList();
        Assert.That(ids.Select(i => i.Length), Is.EqualTo(new[] { 6, 4 }));
        var completions = model.Complete(prompts);
        Assert.That(completions[0].Length, Is.LessThanOrEqualTo(2));
        Assert.That(completions[1].Length, Is.LessThanOrEqualTo(4));
        Assert.That(completions, Is.EqualTo(prompts.Select(p => model.Complete(new[] { p })[0])), "batched = one by one");
        Assert.That(model.FollowsContext);

        var examples = prompts.Select(p => new PromptExample(p, null)).ToList();
        var evaluation = PolicyEvaluator.Evaluate(policy, examples, new ReversalTask.Judge(), new EvaluationOptions { SamplesPerPrompt = 3, PassK = 3 });
        Assert.That(evaluation.Completions.Select(c => c.Completion.Length), Has.All.LessThanOrEqualTo(8 - ids.Max(i => i.Length)));
        Assert.That(evaluation.Completions.Select(c => c.Completion.Length).Max(), Is.GreaterThan(0));

        var tooLong = Assert.Throws<ArgumentException>(() =>
            PolicyEvaluator.Evaluate(policy, examples, new ReversalTask.Judge(), new EvaluationOptions { MaxNewTokens = 4 }));
        Assert.That(tooLong!.Message, Does.Contain("EvaluationOptions.MaxNewTokens is 4").And.Contain("context length is 8").And.Contain("at most 2"));
        Assert.That(PolicyEvaluator.Evaluate(policy, examples, new ReversalTask.Judge(), new EvaluationOptions { MaxNewTokens = 2, SamplesPerPrompt = 1, PassK = 1 })
            .Completions, Has.Count.EqualTo(4), "an explicit value that fits is used");
    }

    [Test]
    public void TheArithmeticDefaultsFailOnAnotherTaskNamingTheOptionToSet()
    {
        var ml = new MLContext(seed: 1);
        var data = View(ml, 8, seed: 1);
        var sft = Assert.Throws<ArgumentException>(() => ml.Ippo().Sft(new SftTrainerOptions
        {
            CompletionColumnName = "Answer", ModelConfig = new GptConfig { VocabSize = 32, ContextLength = 16, Width = 32, Layers = 1, Heads = 2 },
            Sft = new SftOptions { Steps = 1 },
        }).Fit(data));
        Assert.That(sft!.Message, Does.Contain("set SftTrainerOptions.InitialPolicy").And.Contain("FromCharacters"));

        using var policy = ReversalTask.TinyPolicy();
        var ppo = Assert.Throws<ArgumentException>(() => ml.Ippo().PpoTrainer(new PpoTrainerOptions
        {
            InitialPolicy = policy, Ppo = new() { Iterations = 1, EpisodesPerIteration = 4, MaxNewTokens = 4 },
        }).Fit(data));
        Assert.That(ppo!.Message, Does.Contain("PpoTrainerOptions.Reward is null").And.Contain("Set PpoTrainerOptions.Reward").And.Contain("\"").And.Contain(">"));

        using var model = ml.Ippo().FromPolicy(policy.Clone());
        var evaluate = Assert.Throws<ArgumentException>(() => ml.Ippo().Evaluate(model, data));
        Assert.That(evaluate!.Message, Does.Contain("judge argument of Evaluate").And.Contain("ITaskJudge"));
    }

    [Test]
    public void SftReportsItsStartAndEveryLogEveryStepsToTheMLContextLog()
    {
        var ml = new MLContext(seed: 1);
        var lines = new List<LoggingEventArgs>();
        ml.Log += (_, e) => { if (e.Source.StartsWith("Ippo", StringComparison.Ordinal)) lock (lines) lines.Add(e); };
        using var policy = ReversalTask.TinyPolicy();
        var reported = new List<SftProgress>();
        using var model = ml.Ippo().Sft(Sft(policy, reported.Add)).Fit(View(ml, 16, seed: 3));

        var info = lines.Where(l => l.Kind == ChannelMessageKind.Info).Select(l => l.RawMessage).ToList();
        Assert.That(info[0], Does.StartWith("SFT: 20 steps of batch 8 on 16 rows"));
        var steps = info.Where(l => l.StartsWith("SFT step ", StringComparison.Ordinal)).ToList();
        Assert.That(steps, Is.EqualTo(reported.Select(p => $"SFT step {p.Step}/20 loss {p.Loss:F4} lr {p.LearningRate:E2}")));
        Assert.That(reported.Select(p => p.Step), Is.EqualTo(new[] { 5, 10, 15, 20 }));
    }
}
