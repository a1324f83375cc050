using Ippo.MLNet.Core.Evaluation;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using NUnit.Framework;
using static Ippo.MLNet.Tests.Reliability.ReliabilityFixtures;

namespace Ippo.MLNet.Tests.Remote;

/// <summary>PpoOptions.MaxNewTokens follows the model when null; the periodic evaluation follows PPO's length only when its own is null.</summary>
public class RolloutLengthTests
{
    [Test]
    public void ANullRolloutLengthIsTheRoomTheContextLeavesAfterTheLongestPrompt()
    {
        Assert.That(new PpoOptions().NewTokensFor(10, 32), Is.EqualTo(22));
        Assert.That(new PpoOptions { MaxNewTokens = 5 }.NewTokensFor(10, 32), Is.EqualTo(5));
        using var policy = TinyPolicy();
        int longest = Prompts.Max(p => policy.EncodePrompt(p.Prompt).Length);
        using var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), Small with { Iterations = 1, EpisodesPerIteration = 4, MiniBatches = 1, MaxNewTokens = null });
        Assert.That(trainer.ResolvedMaxNewTokens, Is.Null, "known after the first rollout");
        using var buffer = trainer.CollectRollout(Prompts, new Dictionary<string, double>());
        Assert.That(trainer.ResolvedMaxNewTokens, Is.EqualTo(policy.Model.Config.ContextLength - longest));
        Assert.That(buffer.ResponseTokens.shape[1], Is.LessThanOrEqualTo(trainer.ResolvedMaxNewTokens!.Value));
    }

    [Test]
    public void AnExplicitLengthThatDoesNotFitNamesTheOption()
    {
        using var policy = TinyPolicy();
        using var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), Small with { Iterations = 1, MaxNewTokens = 40 });
        var error = Assert.Throws<ArgumentException>(() => trainer.Step(Prompts))!;
        Assert.That(error.Message, Does.Contain("PpoOptions.MaxNewTokens is 40").And.Contain("context length is 32"));
        Assert.Throws<ArgumentOutOfRangeException>(() => (Small with { MaxNewTokens = 0 }).Validate());
    }

    private sealed class LengthJudge : ITaskJudge
    {
        private readonly ArithmeticJudge _inner = new();
        public int Longest { get; private set; }
        public string? ExtractAnswer(string completion)
        {
            Longest = Math.Max(Longest, completion.Length);
            return _inner.ExtractAnswer(completion);
        }
        public string TrueAnswer(string prompt, string? reference) => _inner.TrueAnswer(prompt, reference);
        public TraceLabel? Label(string prompt, string completion, string? reference) => _inner.Label(prompt, completion, reference);
    }

    private static int LongestEvaluatedCompletion(int? evaluationMaxNewTokens)
    {
        var judge = new LengthJudge();
        using var policy = TinyPolicy();
        var evaluation = new PeriodicEvaluationOptions
        {
            Prompts = Prompts, Judge = judge, Every = 1,
            Sampling = new EvaluationOptions { SamplesPerPrompt = 1, PassK = 1, IncludeGreedy = false, MaxNewTokens = evaluationMaxNewTokens },
        };
        using var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), Small with { Iterations = 1, EpisodesPerIteration = 4, MiniBatches = 1, MaxNewTokens = 2, Evaluation = evaluation });
        trainer.Step(Prompts);
        return judge.Longest;
    }

    [Test]
    public void TheEvaluationFollowsThePpoLengthOnlyWhenItsOwnIsNull()
    {
        // The untrained tiny policy rarely ends early: with 2 new tokens no completion has more than 2 characters,
        // with an explicit 8 (kept, not replaced by PPO's 2) some completion of the 32 has more.
        Assert.That(LongestEvaluatedCompletion(null), Is.LessThanOrEqualTo(2));
        Assert.That(LongestEvaluatedCompletion(8), Is.GreaterThan(2));
    }
}
