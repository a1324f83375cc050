using Ippo.MLNet.Tests.RlMoves;
using Ippo.MLNet.Core.Influence;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Rewards;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using Ippo.MLNet.Core.Tokenization;
using Ippo.MLNet.Tests.MLNet;
using Microsoft.ML;
using NUnit.Framework;
using static Ippo.MLNet.Tests.Reliability.ReliabilityFixtures;

namespace Ippo.MLNet.Tests.Reliability;

/// <summary>
/// Malformed input as a new user would write it, through the ML.NET pipeline: every case must fail with an error that
/// names what is wrong, before anything reaches the disk (no model file, no checkpoint, an input checkpoint untouched).
/// </summary>
public class BadInputTests
{
    private string _dir = "";

    [SetUp]
    public void CreateFolder() => _dir = Directory.CreateTempSubdirectory("ippo-bad-input-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_dir, recursive: true);

    /// <summary>One malformed input: what the user does (given the work folder), the error type and what it must name.</summary>
    public sealed record Case(string Name, Action<Workspace> Act, Type Error, params string[] Names)
    {
        public override string ToString() => Name;
    }

    /// <summary>The user's working folder: a checkpoint from a healthy run, and where outputs would go.</summary>
    public sealed record Workspace(string Folder)
    {
        public string Checkpoint => Path.Combine(Folder, "good-checkpoint");
        public string Outputs => Path.Combine(Folder, "outputs");
    }

    private sealed class AnswerAsFloatRow
    {
        public string Prompt { get; set; } = "";
        public float Answer { get; set; }
    }

    private sealed class PromptOnlyRow
    {
        public string Prompt { get; set; } = "";
    }

    private static readonly MLContext Ml = new(seed: 1);

    private static Policy Tiny(int width = 32) =>
        ArithmeticDefaults.NewPolicy(ArithmeticDefaults.ModelConfig(initSeed: 4) with { Width = width, Layers = 1, ContextLength = 32 });

    private static IDataView Prompts(params (string Prompt, string Answer)[] rows) =>
        Ml.Data.LoadFromEnumerable(rows.Select(r => new QuestionRow { Question = r.Prompt, Answer = r.Answer }));

    private static IDataView GoodPrompts => Prompts(("1+2=", "3"), ("4+4=", "8"), ("2*3=", "6"));

    private static IDataView Gold(params (string Prompt, string Completion)[] rows) =>
        Ml.Data.LoadFromEnumerable(rows.Select(r => new SftRow { Prompt = r.Prompt, Completion = r.Completion }));

    private static IDataView GoodGold => Gold(("1+2=", "1+2=3;3"), ("2+2=", "2+2=4;4"));

    private static PpoOptions Ppo(Workspace w) => OldPpoDefaults.Ppo with
    {
        Iterations = 2, EpisodesPerIteration = 4, MiniBatches = 1, MaxNewTokens = 10, Seed = 5,
        CheckpointFolder = Path.Combine(w.Outputs, "checkpoint"), CheckpointEvery = 1,
    };

    /// <summary>Builds the PPO pipeline with <paramref name="change"/> applied, fits it on <paramref name="data"/> and saves the model.</summary>
    private static void FitAndSave(Workspace w, IDataView data, Func<PpoTrainerOptions, PpoTrainerOptions>? change = null, Policy? policy = null, bool copyQuestion = true)
    {
        using var owned = policy is null ? Tiny() : null;
        var options = new PpoTrainerOptions { InitialPolicy = policy ?? owned, AnswerColumnName = "Answer", Ppo = Ppo(w) };
        options = change?.Invoke(options) ?? options;
        var trainer = Ml.Ippo().PpoTrainer(options);
        ITransformer model = copyQuestion ? Ml.Transforms.CopyColumns("Prompt", "Question").Append(trainer).Fit(data) : trainer.Fit(data);
        Ml.Ippo().SaveModel(model, data.Schema, Path.Combine(w.Outputs, "model.zip"));
    }

    private static void FitIPpo(Workspace w, IDataView gold, Func<IPpoTrainerOptions, IPpoTrainerOptions>? change = null)
    {
        using var policy = Tiny();
        var options = new IPpoTrainerOptions { InitialPolicy = policy, AnswerColumnName = "Answer", ValidationData = gold, Ppo = Ppo(w) };
        options = change?.Invoke(options) ?? options;
        var model = Ml.Transforms.CopyColumns("Prompt", "Question").Append(Ml.Ippo().IPpoTrainer(options)).Fit(GoodPrompts);
        Ml.Ippo().SaveModel(model, GoodPrompts.Schema, Path.Combine(w.Outputs, "model.zip"));
    }

    private static readonly RewardFunction Throwing = _ => throw new InvalidOperationException("grader offline");

    public static IEnumerable<Case> Cases()
    {
        yield return new("missing prompt column", w => FitAndSave(w, GoodPrompts, copyQuestion: false),
            typeof(ArgumentException), "'Prompt'", "PromptColumnName", "'Question'");
        yield return new("prompt column of the wrong type", w => FitAndSave(w, Ml.Data.LoadFromEnumerable(new[] { new NumericRow { Prompt = 1 } }), o => o with { AnswerColumnName = null }, copyQuestion: false),
            typeof(ArgumentException), "'Prompt'", "String", "Single");
        yield return new("answer column of the wrong type", w => FitAndSave(w, Ml.Data.LoadFromEnumerable(new[] { new AnswerAsFloatRow { Prompt = "1+2=", Answer = 3 } }), copyQuestion: false),
            typeof(ArgumentException), "'Answer'", "AnswerColumnName", "Single");
        yield return new("answer column with a null", w => FitAndSave(w, Prompts(("1+2=", "3"), ("4+4=", null!))),
            typeof(ArgumentException), "Row 1", "'Answer'", "missing");
        yield return new("answer column missing", w => FitAndSave(w, Ml.Data.LoadFromEnumerable(new[] { new PromptOnlyRow { Prompt = "1+2=" } }), copyQuestion: false),
            typeof(ArgumentException), "'Answer'", "AnswerColumnName");
        yield return new("empty prompt view", w => FitAndSave(w, Prompts()),
            typeof(ArgumentException), "empty", "'Prompt'");
        yield return new("prompt longer than the context", w => FitAndSave(w, Prompts(("1+2=", "3"), (string.Concat(Enumerable.Repeat("1+", 20)) + "1=", "21"))),
            typeof(ArgumentException), "Row 1", "context length 32");
        yield return new("prompt with a character the tokenizer lacks", w => FitAndSave(w, Prompts(("1+x=", "3"))),
            typeof(ArgumentException), "Row 0", "cannot be tokenized", "'x'");
        yield return new("reward delegate that throws", w => FitAndSave(w, GoodPrompts, o => o with { Reward = Throwing }),
            typeof(InvalidOperationException), "reward function threw", "prompt row", "grader offline");
        yield return new("reward delegate that returns NaN", w => FitAndSave(w, GoodPrompts, o => o with { Reward = _ => double.NaN }),
            typeof(InvalidOperationException), "reward function returned NaN", "prompt row");
        yield return new("empty validation view", w => FitIPpo(w, Gold()),
            typeof(ArgumentException), "ValidationData", "empty");
        yield return new("validation view without a completion column", w => FitIPpo(w, Ml.Data.LoadFromEnumerable(new[] { new PromptOnlyRow { Prompt = "1+2=" } })),
            typeof(ArgumentException), "'Completion'", "ValidationData");
        yield return new("validation trace longer than the context", w => FitIPpo(w, Gold(("1+2=", string.Concat(Enumerable.Repeat("1+2=3;", 8))))),
            typeof(ArgumentException), "Validation row 0", "context length is 32");
        yield return new("learning rate out of range", w => FitAndSave(w, GoodPrompts, o => o with { Ppo = o.Ppo with { LearningRate = 0 } }),
            typeof(ArgumentOutOfRangeException), "PpoOptions.LearningRate", "(0, 1]", "got 0");
        yield return new("more minibatches than episodes", w => FitAndSave(w, GoodPrompts, o => o with { Ppo = o.Ppo with { MiniBatches = 8 } }),
            typeof(ArgumentOutOfRangeException), "PpoOptions.MiniBatches", "[1, 4]", "got 8");
        yield return new("checkpoint interval of zero", w => FitAndSave(w, GoodPrompts, o => o with { Ppo = o.Ppo with { CheckpointEvery = 0 } }),
            typeof(ArgumentOutOfRangeException), "PpoOptions.CheckpointEvery", "got 0");
        yield return new("blank checkpoint folder", w => FitAndSave(w, GoodPrompts, o => o with { Ppo = o.Ppo with { CheckpointFolder = "  " } }),
            typeof(ArgumentOutOfRangeException), "PpoOptions.CheckpointFolder");
        yield return new("influence kept fraction out of range", w => FitIPpo(w, GoodGold, o => o with { Influence = new InfluenceFilterOptions { MinKeptFraction = 1.5 } }),
            typeof(ArgumentOutOfRangeException), "MinKeptFraction", "[0, 1]");
        yield return new("negative sampling temperature", w => FitAndSave(w, GoodPrompts, o => o with { Ppo = o.Ppo with { Temperature = -1 } }),
            typeof(ArgumentOutOfRangeException), "PpoOptions.Temperature", "got -1");
        yield return new("resume from a folder that is not a checkpoint", w => FitAndSave(w, GoodPrompts, o => o with { ResumeFrom = w.Folder }),
            typeof(ArgumentException), "ResumeFrom", "trainer.json");
        yield return new("resume from a checkpoint of another model config", w =>
        {
            using var wide = Tiny(width: 64);
            FitAndSave(w, GoodPrompts, o => o with { ResumeFrom = w.Checkpoint }, wide);
        }, typeof(InvalidDataException), "another model", "Width is 32 there and 64 here");
        yield return new("resume with another seed", w => FitAndSave(w, GoodPrompts, o => o with { ResumeFrom = w.Checkpoint, Ppo = o.Ppo with { Seed = 6 } }),
            typeof(InvalidDataException), "Seed 5", "PpoOptions.Seed is 6");
        yield return new("resume from a checkpoint with a corrupt safetensors file", w =>
        {
            var copy = Path.Combine(w.Folder, "corrupt-checkpoint");
            CopyFolder(w.Checkpoint, copy);
            File.WriteAllBytes(Path.Combine(copy, "reference.safetensors"), new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 });
            FitAndSave(w, GoodPrompts, o => o with { ResumeFrom = copy });
        }, typeof(InvalidDataException), "reference.safetensors", "not a readable safetensors file");
        yield return new("tokenizer with more ids than the model has embedding rows", w =>
        {
            using var model = new GptLanguageModel(ArithmeticDefaults.ModelConfig() with { VocabSize = 12, Width = 32, Layers = 1 });
            using var policy = new Policy(model, PolicyTokenizer.CreateArithmetic());
        }, typeof(ArgumentException), "tokenizer has 20 tokens", "vocabulary size is 12");
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }

    [TestCaseSource(nameof(Cases))]
    public void MalformedInputFailsWithAClearErrorAndLeavesTheDiskAsItWas(Case @case)
    {
        var workspace = new Workspace(_dir);
        WriteGoodCheckpoint(workspace.Checkpoint);
        var before = Snapshot(_dir);

        var error = Assert.Catch(() => @case.Act(workspace))!;

        TestContext.Out.WriteLine($"{error.GetType().Name}: {error.Message}");
        Assert.That(error, Is.InstanceOf(@case.Error));
        foreach (var name in @case.Names) Assert.That(error.Message, Does.Contain(name));
        Assert.That(Directory.Exists(workspace.Outputs), Is.False, "no model file or checkpoint was written");
        var after = Snapshot(_dir).Where(kv => !kv.Key.StartsWith("corrupt-checkpoint", StringComparison.Ordinal)).ToDictionary();
        Assert.That(after, Is.EqualTo(before), "the input checkpoint is unchanged");
    }

    private static void WriteGoodCheckpoint(string folder)
    {
        using var policy = Tiny();
        using var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), OldPpoDefaults.Ppo with { Iterations = 1, EpisodesPerIteration = 4, MiniBatches = 1, MaxNewTokens = 10, Seed = 5 });
        trainer.Step(ArithmeticDefaults.HeldOutPrompts(Tests.Ppo.PpoEndToEndTests.EasyTask, 8, seed: 1));
        trainer.SaveCheckpoint(folder);
    }
}
