using Ippo.MLNet.Core.Evaluation;
using Ippo.MLNet.Core.Rewards;
using Ippo.MLNet.Core.Tasks.Strings;
using NUnit.Framework;

namespace Ippo.MLNet.Tests.Tasks;

/// <summary>The string tasks: transforms, prompts, corpus, reward and judge.</summary>
public class StringTasksTests
{
    [TestCase(StringTasks.Reverse, "abc>", "cba")]
    [TestCase(StringTasks.Reverse, "hgaab>", "baagh")]
    [TestCase(StringTasks.SortLetters, "dbca>", "abcd")]
    [TestCase(StringTasks.SortLetters, "hbhb>", "bbhh")]
    [TestCase(StringTasks.ShiftLetters, "abh>", "bca")]
    public void EachTaskAnswersItsPromptsByHand(string name, string prompt, string answer) =>
        Assert.That(StringTasks.Get(name).Answer(prompt), Is.EqualTo(answer));

    [Test]
    public void TheRegistryListsTheBuiltInTasksAndNamesTheUnknownOne()
    {
        Assert.That(StringTasks.Names, Is.SupersetOf(new[] { "reverse", "shift_letters", "sort_letters" }));
        Assert.That(() => StringTasks.Get("nope"), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("'nope'").And.Message.Contains("reverse"));
    }

    [Test]
    public void PromptsAreDistinctAvoidTheExcludedOnesAndCarryTheirAnswers()
    {
        var task = new ReverseTask();
        var first = task.Prompts(50, seed: 3);
        var second = task.Prompts(50, seed: 4, exclude: first.Select(p => p.Prompt));
        Assert.That(first.Select(p => p.Prompt).Distinct().Count(), Is.EqualTo(50));
        Assert.That(second.Select(p => p.Prompt).Intersect(first.Select(p => p.Prompt)), Is.Empty);
        foreach (var p in first)
        {
            var word = task.WordOf(p.Prompt);
            Assert.That(word.Length, Is.InRange(task.MinLength, task.MaxLength));
            Assert.That(p.Reference, Is.EqualTo(new string(word.Reverse().ToArray())));
        }
        Assert.That(task.Prompts(50, seed: 3).Select(p => p.Prompt), Is.EqualTo(first.Select(p => p.Prompt)), "same seed, same prompts");
    }

    [Test]
    public void TheCorpusTokenizesIntoTheDefaultModelsContext()
    {
        var task = new SortLettersTask();
        using var policy = task.NewPolicy();
        var corpus = task.SftCorpus(20, seed: 1);
        var tokenized = StringTask.Tokenize(policy, corpus);
        Assert.That(tokenized.All(e => e.Prompt.Length + e.Completion.Length <= policy.Model.Config.ContextLength));
        Assert.That(policy.Tokenizer.Decode(tokenized[0].Completion), Is.EqualTo(corpus[0].Completion));
        Assert.That(task.MaxLength + 2 + 32, Is.LessThanOrEqualTo(policy.Model.Config.ContextLength), "room for PpoOptions' 32 new tokens");
    }

    [Test]
    public void RewardAndJudgeAgreeOnRightWrongAndMalformed()
    {
        var task = new ShiftLettersTask();
        var reward = task.Reward();
        var judge = task.Judge();
        Assert.That(reward(new RewardInput("abh>", "bca", null, true)), Is.EqualTo(1));
        Assert.That(reward(new RewardInput("abh>", "bcb", "bca", true)), Is.EqualTo(0));
        Assert.That(judge.Label("abh>", "bca", null), Is.EqualTo(TraceLabel.CorrectFaithful));
        Assert.That(judge.Label("abh>", "bcb", null), Is.EqualTo(TraceLabel.Wrong));
        Assert.That(judge.Label("abh>", "", null), Is.EqualTo(TraceLabel.Malformed));
        Assert.That(judge.Label("abh>", "bc>", null), Is.EqualTo(TraceLabel.Malformed), "the separator is no letter");
        Assert.That(judge.TrueAnswer("abh>", null), Is.EqualTo("bca"));
        Assert.That(() => task.WordOf("abz>"), Throws.ArgumentException.With.Message.Contains("\"abz>\""));
    }
}
