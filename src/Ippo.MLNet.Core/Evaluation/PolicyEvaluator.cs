using Ippo.MLNet.Core.Generation;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Training;

namespace Ippo.MLNet.Core.Evaluation;

/// <summary>Measures a policy on held-out prompts: exact match, majority vote, pass@k and step faithfulness.</summary>
public static class PolicyEvaluator
{
    /// <summary>
    /// Samples <see cref="EvaluationOptions.SamplesPerPrompt"/> completions per prompt (and one greedy one), judges
    /// each with <paramref name="judge"/>, and aggregates. Generation runs batch by batch without autograd.
    /// </summary>
    public static PolicyEvaluation Evaluate(
        Policy policy, IReadOnlyList<PromptExample> prompts, ITaskJudge judge, EvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(judge);
        options = (options ?? new EvaluationOptions()).Validate();
        if (prompts is null || prompts.Count == 0) throw new ArgumentException("There are no prompts to evaluate.", nameof(prompts));

        var tokenizer = policy.Tokenizer;
        using var generator = new TextGenerator(policy, options.Seed);
        var sampling = new GenerationOptions { Temperature = options.Temperature };
        var sampled = new List<EvaluatedCompletion>[prompts.Count];
        var greedyResults = new EvaluatedCompletion?[prompts.Count];
        for (int start = 0; start < prompts.Count; start += options.BatchSize)
        {
            var chunk = Enumerable.Range(start, Math.Min(options.BatchSize, prompts.Count - start)).ToList();
            var ids = chunk.Select(i => policy.EncodePrompt(prompts[i].Prompt)).ToList();
            sampling = sampling with { MaxNewTokens = options.NewTokensFor(ids.Max(p => p.Length), policy.Model.Config.ContextLength) };
            var greedy = sampling with { Temperature = 0 };
            foreach (var i in chunk) sampled[i] = new List<EvaluatedCompletion>();
            for (int s = 0; s < options.SamplesPerPrompt; s++)
            {
                var texts = Decode(generator, ids, sampling, tokenizer);
                for (int j = 0; j < chunk.Count; j++) sampled[chunk[j]].Add(Judge(judge, prompts[chunk[j]], texts[j], greedy: false));
            }
            if (options.IncludeGreedy)
            {
                var texts = Decode(generator, ids, greedy, tokenizer);
                for (int j = 0; j < chunk.Count; j++) greedyResults[chunk[j]] = Judge(judge, prompts[chunk[j]], texts[j], greedy: true);
            }
        }

        var all = sampled.SelectMany(x => x).ToList();
        var metrics = new PolicyMetrics
        {
            Prompts = prompts.Count,
            Accuracy = all.Average(c => c.Correct ? 1.0 : 0.0),
            FaithfulAccuracy = FaithfulAccuracy(all),
            UnfaithfulRate = UnfaithfulRate(all),
            MalformedRate = all.Average(c => c.Answer is null || c.Label == TraceLabel.Malformed ? 1.0 : 0.0),
            MajorityVote = Enumerable.Range(0, prompts.Count).Average(i => MajorityIsRight(sampled[i], judge.TrueAnswer(prompts[i].Prompt, prompts[i].Reference)) ? 1.0 : 0.0),
            PassAtK = sampled.Average(s => Evaluation.PassAtK.Estimate(s.Count, s.Count(c => c.Correct), options.PassK)),
        };
        if (options.IncludeGreedy)
        {
            var g = greedyResults.Select(x => x!).ToList();
            metrics = metrics with
            {
                GreedyAccuracy = g.Average(c => c.Correct ? 1.0 : 0.0),
                GreedyFaithfulAccuracy = FaithfulAccuracy(g),
                GreedyUnfaithfulRate = UnfaithfulRate(g),
            };
        }
        var completions = Enumerable.Range(0, prompts.Count)
            .SelectMany(i => greedyResults[i] is { } g ? sampled[i].Append(g) : sampled[i]).ToList();
        return new PolicyEvaluation(metrics, completions);
    }

    private static string[] Decode(TextGenerator generator, List<int[]> ids, GenerationOptions options, Tokenization.PolicyTokenizer tokenizer)
    {
        using var result = generator.Generate(ids, options);
        return result.CompletionIds().Select(tokenizer.Decode).ToArray();
    }

    private static EvaluatedCompletion Judge(ITaskJudge judge, PromptExample prompt, string completion, bool greedy)
    {
        var answer = judge.ExtractAnswer(completion);
        bool correct = answer is not null && answer == judge.TrueAnswer(prompt.Prompt, prompt.Reference);
        return new EvaluatedCompletion(prompt.Prompt, completion, answer, correct, judge.Label(prompt.Prompt, completion, prompt.Reference), greedy);
    }

    private static double FaithfulAccuracy(IReadOnlyList<EvaluatedCompletion> c) =>
        c.Any(x => x.Label is null) ? double.NaN : c.Average(x => x.Label == TraceLabel.CorrectFaithful ? 1.0 : 0.0);

    private static double UnfaithfulRate(IReadOnlyList<EvaluatedCompletion> c)
    {
        if (c.Any(x => x.Label is null)) return double.NaN;
        int correct = c.Count(x => x.Label is TraceLabel.CorrectFaithful or TraceLabel.CorrectUnfaithful);
        return correct == 0 ? 0.0 : c.Count(x => x.Label == TraceLabel.CorrectUnfaithful) / (double)correct;
    }

    private static bool MajorityIsRight(IReadOnlyList<EvaluatedCompletion> samples, string truth)
    {
        var answers = samples.Where(s => s.Answer is not null).Select(s => s.Answer!).ToList();
        if (answers.Count == 0) return false;
        var top = answers.GroupBy(a => a).OrderByDescending(g => g.Count()).ThenBy(g => answers.IndexOf(g.Key)).First().Key;
        return top == truth;
    }
}
