using Ippo.MLNet.Core.Evaluation;
using Ippo.MLNet.Core.Rewards;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using NUnit.Framework;

namespace Ippo.MLNet.Tests.Tasks;

public class ArithmeticGenerationTests
{
    [Test]
    public void ProblemsAreDeterministicPerSeedAndStayInRange()
    {
        var options = new ArithmeticTaskOptions { MinOperations = 2, MaxOperations = 4, AllowMultiply = true, MaxResult = 60 };
        var a = new ArithmeticProblemGenerator(options, 3).Take(500).Select(p => p.Prompt).ToList();
        var b = new ArithmeticProblemGenerator(options, 3).Take(500).Select(p => p.Prompt).ToList();
        var c = new ArithmeticProblemGenerator(options, 4).Take(500).Select(p => p.Prompt).ToList();
        Assert.That(b, Is.EqualTo(a));
        Assert.That(c, Is.Not.EqualTo(a));
        var problems = new ArithmeticProblemGenerator(options, 5).Take(2000);
        Assert.That(problems.SelectMany(p => p.IntermediateResults), Has.All.InRange(0, 60));
        Assert.That(problems.Select(p => p.Operators.Count), Has.All.InRange(2, 4));
        Assert.That(problems.Select(p => p.Operators.Count).Distinct().Count(), Is.EqualTo(3), "every length occurs");
        Assert.That(problems.Any(p => p.Operators.Contains('*')), Is.True);
        Assert.That(problems.Where(p => p.Operators.Contains('*')).SelectMany(p => p.Operators.Select((o, i) => (o, x: p.Operands[i + 1])).Where(t => t.o == '*')),
            Has.All.Matches<(char o, int x)>(t => t.x is >= 2 and <= 9));
    }

    [TestCase(0.3, 0.5, 0.2)]
    [TestCase(1.0, 0.0, 0.0)]
    [TestCase(0.1, 0.6, 0.3)]
    public void TheCorpusFollowsTheMixAndEveryTraceIsWhatItClaims(double gold, double unfaithful, double wrong)
    {
        var mix = new SftCorpusOptions { GoldFraction = gold, UnfaithfulFraction = unfaithful, WrongFraction = wrong };
        var corpus = new SftCorpusGenerator(new ArithmeticTaskOptions(), mix, seed: 9).Take(10_000);
        foreach (var e in corpus)
            Assert.That(ArithmeticChecker.Check(e.Prompt, e.Completion).Label, Is.EqualTo(e.Kind), $"{e.Prompt}{e.Completion}");
        // Binomial standard error at n = 10,000 is at most 0.005; 0.02 is four of them.
        Assert.That(corpus.Count(e => e.Kind == TraceLabel.CorrectFaithful) / 10_000.0, Is.EqualTo(gold).Within(0.02));
        Assert.That(corpus.Count(e => e.Kind == TraceLabel.CorrectUnfaithful) / 10_000.0, Is.EqualTo(unfaithful).Within(0.02));
        Assert.That(corpus.Count(e => e.Kind == TraceLabel.Wrong) / 10_000.0, Is.EqualTo(wrong).Within(0.02));
    }

    [Test]
    public void UnfaithfulTracesIncludeBothWrongStepsAndSkippedSteps()
    {
        var mix = new SftCorpusOptions { GoldFraction = 0, UnfaithfulFraction = 1, WrongFraction = 0 };
        var reasons = new SftCorpusGenerator(new ArithmeticTaskOptions(), mix, seed: 2).Take(500)
            .Select(e => ArithmeticChecker.Check(e.Prompt, e.Completion).Reason).ToList();
        Assert.That(reasons.Count(r => r.Contains("is wrong")), Is.GreaterThan(100));
        Assert.That(reasons.Count(r => r.Contains("does not start from")), Is.GreaterThan(100));
    }

    [TestCase("23+45=68,68-12=56;56", true, 1.0)]
    [TestCase("23+45=67,68-12=56;56", true, 1.0)]
    [TestCase("23+45=68,68-12=56;55", true, 0.0)]
    [TestCase("23+45=68,68-12", true, -0.1)]
    [TestCase("23+45=68,68-12=56;56", false, 0.5)]
    [TestCase("23+45=68,68-12", false, -0.6)]
    public void TheRewardScoresOnlyTheAnswerWithPenalties(string completion, bool eos, double expected)
    {
        var reward = ArithmeticReward.Create();
        Assert.That(reward(new RewardInput("23+45-12=", completion, null, eos)), Is.EqualTo(expected).Within(1e-12));
    }

    [Test]
    public void AReferenceAnswerOverridesTheComputedOne()
    {
        var reward = ArithmeticReward.Create();
        Assert.That(reward(new RewardInput("1+1=", "1+1=2;3", "3", true)), Is.EqualTo(1.0));
    }

    [TestCase("MinOperations", 0)]
    [TestCase("MaxOperand", 1000)]
    [TestCase("MaxResult", -10000)]
    public void InvalidTaskOptionsNameTheOption(string name, int value)
    {
        var options = name switch
        {
            "MinOperations" => new ArithmeticTaskOptions { MinOperations = value },
            "MaxOperand" => new ArithmeticTaskOptions { MaxOperand = value },
            _ => new ArithmeticTaskOptions { MaxResult = value, MinResult = -20000 },
        };
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => options.Validate())!;
        Assert.That(error.ParamName, Is.EqualTo(name));
    }

    [Test]
    public void FractionsThatDoNotSumToOneAreRejected()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new SftCorpusOptions { GoldFraction = 0.5 }.Validate())!;
        Assert.That(error.Message, Does.Contain("sum to 1"));
    }

    [Test]
    public void PassAtKMatchesTheClosedForm()
    {
        // n = 5, c = 2, k = 2: 1 - C(3,2)/C(5,2) = 1 - 3/10.
        Assert.That(PassAtK.Estimate(5, 2, 2), Is.EqualTo(0.7).Within(1e-12));
        Assert.That(PassAtK.Estimate(4, 0, 4), Is.EqualTo(0.0));
        Assert.That(PassAtK.Estimate(4, 1, 4), Is.EqualTo(1.0));
        Assert.That(PassAtK.Estimate(10, 3, 1), Is.EqualTo(0.3).Within(1e-12));
    }
}
