using Ippo.MLNet.Core.Evaluation;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using NUnit.Framework;

namespace Ippo.MLNet.Tests.Tasks;

public class ArithmeticCheckerTests
{
    [TestCase("23+45-12=", "23+45=68,68-12=56;56", TraceLabel.CorrectFaithful, "every step")]
    [TestCase("5-8+4=", "5-8=-3,-3+4=1;1", TraceLabel.CorrectFaithful, "every step")]
    [TestCase("3*4-2=", "3*4=12,12-2=10;10", TraceLabel.CorrectFaithful, "every step")]
    [TestCase("23+45-12=", "23+45=67,68-12=56;56", TraceLabel.CorrectUnfaithful, "step 1 is wrong")]
    [TestCase("23+45-12=", "23+45=68,68-12=55;56", TraceLabel.CorrectUnfaithful, "step 2 is wrong")]
    [TestCase("23+45-12=", "68-12=56;56", TraceLabel.CorrectUnfaithful, "step 1 does not start from the first operand 23")]
    [TestCase("1+2+3+4=", "1+2=3,6+4=10;10", TraceLabel.CorrectUnfaithful, "step 2 does not start from the previous result 3")]
    [TestCase("23+45-12=", "23+45=68;56", TraceLabel.CorrectUnfaithful, "only 1 of 2 steps")]
    [TestCase("23+45-12=", "23+45=68,68-10=58,58-2=56;56", TraceLabel.CorrectUnfaithful, "step 2 is not -12")]
    [TestCase("23+45-12=", "23+45=68,68-12=56;55", TraceLabel.Wrong, "the answer 55 is not 56")]
    [TestCase("23+45-12=", "23+45=67,67-12=55;55", TraceLabel.Wrong, "the answer 55")]
    [TestCase("23+45-12=", "23+45=68,68-12=56", TraceLabel.Malformed, "does not follow")]
    [TestCase("23+45-12=", "23+45=68,68-12=56;", TraceLabel.Malformed, "does not follow")]
    [TestCase("23+45-12=", "23+45=68,,68-12=56;56", TraceLabel.Malformed, "does not follow")]
    [TestCase("23+45-12=", "23+45=68,68-12=56;56;56", TraceLabel.Malformed, "does not follow")]
    [TestCase("23+45-12=", "23+=68;56", TraceLabel.Malformed, "does not follow")]
    [TestCase("23+45-12=", "", TraceLabel.Malformed, "does not follow")]
    public void HandWrittenCompletionsGetTheirLabel(string prompt, string completion, TraceLabel label, string reason)
    {
        var check = ArithmeticChecker.Check(prompt, completion);
        Assert.That(check.Label, Is.EqualTo(label), check.Reason);
        Assert.That(check.Reason, Does.Contain(reason));
    }

    [Test]
    public void AMalformedPromptIsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => ArithmeticChecker.Check("hello", "1+1=2;2"))!;
        Assert.That(error.Message, Does.Contain("\"hello\""));
    }

    [Test]
    public void TheGoldCompletionOfAProblemIsWrittenStepByStep()
    {
        var problem = new ArithmeticProblem(new[] { 23, 45, 12 }, new[] { '+', '-' });
        Assert.That(problem.Prompt, Is.EqualTo("23+45-12="));
        Assert.That(problem.GoldCompletion, Is.EqualTo("23+45=68,68-12=56;56"));
        Assert.That(problem.IntermediateResults, Is.EqualTo(new[] { 68, 56 }));
    }
}
