using Ippo.MLNet.Core.Evaluation;
using Ippo.MLNet.Core.Rewards;
using Ippo.MLNet.Core.Tasks.Gsm8k;
using NUnit.Framework;

namespace Ippo.MLNet.Tests.Tasks;

public class Gsm8kTests
{
    private string _dir = "";

    [SetUp]
    public void CreateFolder() => _dir = Directory.CreateTempSubdirectory("ippo-gsm-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_dir, recursive: true);

    private const string Gold = "Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nNatalia sold 48+24 = <<48+24=72>>72 clips altogether.\n#### 72";

    [TestCase("#### 1,234", "1234")]
    [TestCase("so 3 + 4 = 7\n#### 7", "7")]
    [TestCase("The answer is $18.", "18")]
    [TestCase("It costs 3.50 dollars", "3.5")]
    [TestCase("temperature fell to -5", "-5")]
    [TestCase("first 12 then 13 finally 14 apples", "14")]
    [TestCase("#### 72.0", "72")]
    [TestCase("#### $1,000.00", "1000")]
    [TestCase("no number here", null)]
    [TestCase("", null)]
    public void AnswersAreExtractedTheUsualWays(string text, string? expected) => Assert.That(AnswerExtractor.Extract(text), Is.EqualTo(expected));

    [Test]
    public void AnswersMatchNumerically()
    {
        Assert.That(AnswerExtractor.Matches("72.0", "72"), Is.True);
        Assert.That(AnswerExtractor.Matches("1,000", "1000"), Is.True);
        Assert.That(AnswerExtractor.Matches("71", "72"), Is.False);
        Assert.That(AnswerExtractor.Matches(null, "72"), Is.False);
    }

    [TestCase("48/2", 24)]
    [TestCase("2+3*4", 14)]
    [TestCase("(2+3)*4", 20)]
    [TestCase("10-4-3", 3)]
    [TestCase("-3+5", 2)]
    [TestCase("1,000/4", 250)]
    [TestCase("7.5*2", 15)]
    [TestCase("12/(2*3)/2", 1)]
    [TestCase("560//10//3", 18)]
    public void TheEvaluatorHonoursPrecedenceAndParentheses(string expression, double expected) =>
        Assert.That((double?)ArithmeticExpression.TryEvaluate(expression), Is.EqualTo(expected).Within(1e-12));

    [TestCase("2+")]
    [TestCase("(2+3")]
    [TestCase("4/0")]
    [TestCase("import os")]
    public void BadExpressionsDoNotEvaluate(string expression) => Assert.That(ArithmeticExpression.TryEvaluate(expression), Is.Null);

    [Test]
    public void AnnotationsAreVerifiedOneByOne()
    {
        var gold = Gsm8kStepChecker.Check(Gold);
        Assert.That((gold.Annotations, gold.Verified, gold.FirstFailure), Is.EqualTo((2, 2, (string?)null)));
        var wrongStep = Gsm8kStepChecker.Check("half is <<48/2=23>>23, total <<48+24=72>>72\n#### 72");
        Assert.That((wrongStep.Annotations, wrongStep.Verified), Is.EqualTo((2, 1)));
        Assert.That(wrongStep.FirstFailure, Does.Contain("48/2").And.Contain("24"));
        Assert.That(Gsm8kStepChecker.Check("a third is <<10/3=3.33>>3.33").AllVerified, Is.True, "rounded results are accepted");
    }

    [Test]
    public void CompletionsAreLabelledAgainstTheReference()
    {
        Assert.That(Gsm8kStepChecker.Label(Gold, "72"), Is.EqualTo(TraceLabel.CorrectFaithful));
        Assert.That(Gsm8kStepChecker.Label("<<48/2=20>>20 then <<20+52=72>>72\n#### 72", "72"), Is.EqualTo(TraceLabel.CorrectUnfaithful));
        Assert.That(Gsm8kStepChecker.Label(Gold, "73"), Is.EqualTo(TraceLabel.Wrong));
        Assert.That(Gsm8kStepChecker.Label("I do not know", "72"), Is.EqualTo(TraceLabel.Malformed));
    }

    [Test]
    public void TheRewardMatchesAnswersAndNeedsTheReference()
    {
        var reward = Gsm8kReward.Create();
        Assert.That(reward(new RewardInput("q", Gold, "72", true)), Is.EqualTo(1.0));
        Assert.That(reward(new RewardInput("q", Gold, "71", true)), Is.EqualTo(0.0));
        Assert.That(reward(new RewardInput("q", Gold, "72", false)), Is.EqualTo(0.5));
        var error = Assert.Throws<ArgumentException>(() => reward(new RewardInput("q", Gold, null, true)))!;
        Assert.That(error.Message, Does.Contain("answer column"));
    }

    [Test]
    public void JsonlLoadsAndBadLinesAreNamedWithTheirNumber()
    {
        var path = Path.Combine(_dir, "tiny.jsonl");
        File.WriteAllLines(path, new[]
        {
            "{\"question\": \"Q1?\", \"answer\": \"<<1+1=2>>2\\n#### 2\"}",
            "{\"question\": \"Q2?\", \"answer\": \"#### 1,500\"}",
        });
        var examples = Gsm8kReader.Load(path);
        Assert.That(examples.Select(e => e.FinalAnswer), Is.EqualTo(new[] { "2", "1500" }));
        Assert.That(examples[0].Annotations.Single(), Is.EqualTo(new CalculatorAnnotation("1+1", "2")));
        Assert.That(Gsm8kReader.Load(path, limit: 1), Has.Count.EqualTo(1));

        File.AppendAllLines(path, new[] { "{\"question\": \"Q3?\"}" });
        var missing = Assert.Throws<InvalidDataException>(() => Gsm8kReader.Load(path))!;
        Assert.That(missing.Message, Does.Contain("line 3").And.Contain("\"answer\"").And.Contain(path));
        File.WriteAllLines(path, new[] { "{\"question\": \"Q\", \"answer\": \"#### 1\"}", "{not json" });
        Assert.That(Assert.Throws<InvalidDataException>(() => Gsm8kReader.Load(path))!.Message, Does.Contain("line 2").And.Contain("invalid JSON"));
        File.WriteAllLines(path, new[] { "{\"question\": \"Q\", \"answer\": \"42\"}" });
        Assert.That(Assert.Throws<InvalidDataException>(() => Gsm8kReader.Load(path))!.Message, Does.Contain("line 1").And.Contain("####"));
        Assert.Throws<FileNotFoundException>(() => Gsm8kReader.Load(Path.Combine(_dir, "nope.jsonl")));
    }

    [Test]
    public void EveryRealGoldSolutionIsJudgedCorrectAndFaithful()
    {
        if (!Gsm8kDataLocator.TryFindDirectory(out var dir))
            Assert.Ignore($"GSM8K not found: set {Gsm8kDataLocator.EnvironmentVariable} to a folder holding train.jsonl and test.jsonl, or place it at ../shared/data/gsm8k.");
        int annotations = 0, examples = 0;
        var failures = new List<string>();
        foreach (var file in new[] { "train.jsonl", "test.jsonl" })
            foreach (var e in Gsm8kReader.Load(Path.Combine(dir!, file)))
            {
                examples++;
                annotations += e.Annotations.Count;
                Assert.That(e.FinalAnswer, Is.Not.Empty, e.Question);
                var check = Gsm8kStepChecker.Check(e.Answer);
                if (Gsm8kStepChecker.Label(e.Answer, e.FinalAnswer) != TraceLabel.CorrectFaithful) failures.Add($"{file}: {check.FirstFailure}");
            }
        Assert.That(failures, Is.Empty, string.Join("\n", failures.Take(30)) + $"\n({failures.Count} in all)");
        TestContext.Out.WriteLine($"{examples} gold solutions, {annotations} calculator annotations, all verified.");
        Assert.That(examples, Is.EqualTo(7473 + 1319));
    }
}
