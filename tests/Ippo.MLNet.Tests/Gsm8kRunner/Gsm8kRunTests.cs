using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Tasks.Gsm8k;
using Ippo.MLNet.Gsm8k;
using Ippo.MLNet.Tests.Models.Pretrained;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Ippo.MLNet.Tests.Gsm8kRunner;

/// <summary>The GSM8K example on tiny random models written by the test: prompts, options, and a whole run.</summary>
public class Gsm8kRunTests
{
    private static readonly Gsm8kExample[] Rows =
    {
        new("Tom has 3 apples and buys 4 more. How many apples does he have?", "Tom has 3+4=<<3+4=7>>7 apples.\n#### 7"),
        new("A box holds 6 pens. How many pens are in 2 boxes?", "2 boxes hold 2*6=<<2*6=12>>12 pens.\n#### 12"),
        new("Ann had 10 dollars and spent 3. How much is left?", "She has 10-3=<<10-3=7>>7 dollars left.\n#### 7"),
        new("Half of 8 cats are black. How many are black?", "8/2=<<8/2=4>>4 cats are black.\n#### 4"),
        new("Bo reads 5 pages a day for 3 days. How many pages?", "He reads 5*3=<<5*3=15>>15 pages.\n#### 15"),
        new("Sue has 9 eggs and uses 2. How many remain?", "9-2=<<9-2=7>>7 eggs remain.\n#### 7"),
    };

    private string _dir = "";

    [SetUp]
    public void CreateFolder() => _dir = Directory.CreateTempSubdirectory("ippo-gsm8k-run-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_dir, recursive: true);

    private Gsm8kRunOptions Tiny(string model, Gsm8kMethod method) => new()
    {
        ModelFolder = model, Method = method, SftSteps = 3, SftBatchSize = 2, SftLearningRate = 1e-2, Iterations = 2, Episodes = 4,
        MaxNewTokens = 10, LearningRate = 1e-4, Samples = 2, EvalBatchSize = 4, Seed = 3, Output = Path.Combine(_dir, "trained-" + method),
    };

    [Test]
    public void ChatTemplatePromptsHaveNoBosAndCompletionsEndWithTheFirstEos()
    {
        using var qwen = Policy.FromPretrained(PretrainedFolders.WriteQwen(Path.Combine(_dir, "qwen"), contextLength: 256));
        var prompts = new Gsm8kPrompts(qwen);
        Assert.That(prompts.UsesChat, Is.True);
        var row = Rows[0];
        Assert.That(prompts.Prompt(row.Question), Is.EqualTo($"<|im_start|>user\n{row.Question}{Gsm8kPrompts.ChatInstruction}<|im_end|>\n<|im_start|>assistant\n"));
        var example = prompts.Tokenized(new[] { row }).Single();
        Assert.That(example.Prompt[0], Is.EqualTo(457), "<|im_start|> first: Qwen puts no BOS before it");
        Assert.That(example.Completion[^1], Is.EqualTo(458), "<|im_end|> ends the gold solution");
        Assert.That(qwen.Tokenizer.Decode(example.Completion), Is.EqualTo(row.Answer));
        Assert.That(prompts.PromptExamples(new[] { row }).Single().Reference, Is.EqualTo("7"));

        using var llama = Policy.FromPretrained(PretrainedFolders.WriteLlama(Path.Combine(_dir, "llama"), contextLength: 256));
        var plain = new Gsm8kPrompts(llama);
        Assert.That(plain.UsesChat, Is.False, "no chat_template in the Llama folder");
        Assert.That(plain.Prompt(row.Question), Is.EqualTo(Gsm8kPrompt.Format(row.Question)));
        Assert.That(plain.Tokenized(new[] { row }).Single().Prompt[0], Is.EqualTo(llama.Tokenizer.BosId));
        Assert.That(plain.Fitting(Rows, completionTokens: 250), Is.Empty, "no prompt leaves 250 of 256 positions free");
    }

    [TestCase(Gsm8kMethod.IPpo)]
    [TestCase(Gsm8kMethod.Ppo)]
    public void TrainsForTwoIterationsEvaluatesTheTestRowsAndSavesAFolderThatLoads(Gsm8kMethod method)
    {
        var model = PretrainedFolders.WriteQwen(Path.Combine(_dir, "qwen"), contextLength: 256);
        var options = Tiny(model, method);
        var result = Gsm8kRun.Run(options, Rows[..4], Rows[4..5], Rows[4..], TextWriter.Null);

        Assert.That(result.UsedChatTemplate, Is.True);
        Assert.That(double.IsFinite(result.SftLoss), Is.True);
        Assert.That(result.Training.History.Select(m => m.Iteration), Is.EqualTo(new[] { 1, 2 }));
        Assert.That(result.Test.Prompts, Is.EqualTo(2));
        Assert.That(result.Test.PassAtK, Is.GreaterThanOrEqualTo(result.Test.MajorityVote), "a majority answer is one of the k samples");
        Assert.That(File.Exists(Path.Combine(options.Output!, "gsm8k_metrics.json")), Is.True);
        using var before = Policy.FromPretrained(model);
        using var after = Policy.FromPretrained(options.Output!);
        Assert.That(after.Tokenizer.EosIds, Is.EqualTo(before.Tokenizer.EosIds));
        var changed = before.Model.state_dict().Count(kv => !kv.Value.allclose(after.Model.state_dict()[kv.Key], rtol: 0, atol: 0));
        Assert.That(changed, Is.GreaterThan(0), "SFT and PPO updated the saved weights");
    }

    [Test]
    public void RunsOnTheRealFilesWhenPresent()
    {
        if (!Gsm8kDataLocator.TryFindDirectory(out var dir) || dir is null || !File.Exists(Path.Combine(dir, "train.jsonl")))
            Assert.Ignore($"GSM8K not found: set {Gsm8kDataLocator.EnvironmentVariable} to a folder holding train.jsonl and test.jsonl, or place it at ../shared/data/gsm8k.");
        var model = PretrainedFolders.WriteQwen(Path.Combine(_dir, "qwen"), contextLength: 1024);
        var options = Tiny(model, Gsm8kMethod.IPpo) with { DataFolder = dir, TrainPrompts = 4, ValidationSize = 2, TestPrompts = 2, SftSteps = 1 };
        var result = Gsm8kRun.Run(options, TextWriter.Null);
        Assert.That(result.Training.History.Count, Is.EqualTo(2));
        Assert.That(result.Test.Prompts, Is.EqualTo(2));
    }

    [Test]
    public void MissingDataAndUnknownDevicesAreClearErrors()
    {
        var empty = Directory.CreateDirectory(Path.Combine(_dir, "empty")).FullName;
        var missing = Assert.Throws<DirectoryNotFoundException>(() => Gsm8kRun.DataFolder(new Gsm8kRunOptions { ModelFolder = "m", DataFolder = empty }));
        Assert.That(missing!.Message, Does.Contain("train.jsonl").And.Contain(empty));
        var device = Assert.Throws<ArgumentException>(() => Gsm8kDevice.Parse("gpu"));
        Assert.That(device!.Message, Does.Contain("--device").And.Contain("gpu"));
        Assert.That(Gsm8kDevice.Parse("cuda:1"), Is.EqualTo(1));
        Assert.That(Gsm8kDevice.Parse("cpu"), Is.Null);
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => new Gsm8kRunOptions { ModelFolder = "m", Episodes = 1 }.Validate());
        Assert.That(range!.Message, Does.Contain("Episodes").And.Contain("[2, 100000]"));
        if (!cuda.is_available())
        {
            var cpuOnly = Assert.Throws<InvalidOperationException>(() => Gsm8kDevice.Resolve("cuda"));
            Assert.That(cpuOnly!.Message, Does.Contain("TorchSharp-cuda"));
        }
    }
}
