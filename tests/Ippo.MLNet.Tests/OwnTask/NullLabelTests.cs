using Ippo.MLNet.Core.Evaluation;
using Ippo.MLNet.Core.Influence;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Training;
using NUnit.Framework;

namespace Ippo.MLNet.Tests.OwnTask;

/// <summary>A judge without a step checker (null labels): correctness is the answer check in the evaluator and in the
/// influence filter alike; only the step metrics are NaN.</summary>
public class NullLabelTests
{
    /// <summary>Right = an even-length completion, so an untrained policy gets some right and some wrong.</summary>
    private sealed class ParityJudge : ITaskJudge
    {
        public string? ExtractAnswer(string completion) => completion.Length % 2 == 0 ? "even" : "odd";

        public string TrueAnswer(string prompt, string? reference) => "even";

        public TraceLabel? Label(string prompt, string completion, string? reference) => null;
    }

    private static IReadOnlyList<PromptExample> Prompts => ReversalTask.Words(16, seed: 5).Select(w => new PromptExample(w.Prompt, w.Answer)).ToList();

    [Test]
    public void TheInfluenceFilterCountsCorrectAnswersWithoutLabels()
    {
        using var policy = ReversalTask.TinyPolicy();
        var validation = ReversalTask.Words(8, seed: 2).Select(w => new TokenizedExample(policy.EncodePrompt(w.Prompt), policy.EncodeCompletion(w.Answer))).ToList();
        using var filter = new InfluenceFilter(validation, new InfluenceFilterOptions { MinKeptFraction = 0 }, new ParityJudge());
        using var trainer = new PpoTrainer(policy, input => input.Completion.Length % 2 == 0 ? 1 : 0,
            new PpoOptions { Iterations = 1, EpisodesPerIteration = 16, MiniBatches = 2, MaxNewTokens = 6, Seed = 3 }, filter);
        var m = trainer.Step(Prompts);

        var episodes = filter.LastEpisodes;
        int even = episodes.Count(e => e.Episode.Completion.Length % 2 == 0);
        Assert.That(even, Is.InRange(1, episodes.Count - 1), "the check needs both right and wrong episodes");
        Assert.That(episodes.Select(e => e.Correct), Is.EqualTo(episodes.Select(e => (bool?)(e.Episode.Completion.Length % 2 == 0))));
        Assert.That(m[MetricNames.CorrectFraction], Is.EqualTo(even / (double)episodes.Count));
        var kept = episodes.Where(e => e.Kept).ToList();
        Assert.That(kept, Is.Not.Empty);
        Assert.That(m[MetricNames.KeptCorrectFraction], Is.EqualTo(kept.Count(e => e.Episode.Completion.Length % 2 == 0) / (double)kept.Count));
        Assert.That(m[MetricNames.KeptFaithfulFraction], Is.NaN);
        Assert.That(m[MetricNames.ScoreMeanFaithful], Is.NaN);
        Assert.That(m[MetricNames.ScoreMeanUnfaithful], Is.NaN);
    }

    [Test]
    public void TheEvaluatorCountsCorrectAnswersWithoutLabelsAndReportsStepMetricsAsNaN()
    {
        using var policy = ReversalTask.TinyPolicy();
        var result = PolicyEvaluator.Evaluate(policy, Prompts, new ParityJudge(), new EvaluationOptions { SamplesPerPrompt = 2, PassK = 2 });
        var samples = result.Completions.Where(c => !c.Greedy).ToList();
        double even = samples.Count(c => c.Completion.Length % 2 == 0) / (double)samples.Count;
        Assert.That(even, Is.GreaterThan(0).And.LessThan(1));
        Assert.That(result.Metrics.Accuracy, Is.EqualTo(even).Within(1e-12));
        Assert.That(result.Metrics.FaithfulAccuracy, Is.NaN);
        Assert.That(result.Metrics.UnfaithfulRate, Is.NaN);
        Assert.That(result.Metrics.GreedyFaithfulAccuracy, Is.NaN);
    }
}
