using System.Diagnostics;
using Ippo.MLNet.Core.Evaluation;
using Ippo.MLNet.Core.Influence;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using Ippo.MLNet.Core.Training;

namespace Ippo.MLNet.Reproduction;

/// <summary>
/// Runs the methods of one seed from its warm start: every RL method trains a clone of it with the same rollout
/// budget (iterations x episodes), logs every iteration's metrics, evaluates the curve subset every
/// <see cref="ExperimentOptions.EvalEvery"/> iterations, and evaluates its final policy on the held-out prompts.
/// </summary>
internal sealed class MethodRunner
{
    private const int MaxNewTokens = 32;
    private readonly ExperimentOptions _options;
    private readonly SeedData _data;
    private readonly int _seed;
    private readonly TextWriter _log;
    private readonly ArithmeticJudge _judge = new();
    private PolicyMetrics? _warmCurve;

    /// <summary>A runner for seed <paramref name="seed"/> on <paramref name="data"/>.</summary>
    public MethodRunner(ExperimentOptions options, SeedData data, int seed, TextWriter log)
    {
        _options = options;
        _data = data;
        _seed = seed;
        _log = log;
    }

    /// <summary>Runs <paramref name="method"/> from a clone of <paramref name="warmStart"/> (which it leaves untouched).</summary>
    public MethodRun Run(ExperimentMethod method, Policy warmStart)
    {
        _warmCurve ??= EvaluateCurve(warmStart);
        var records = new List<IterationRecord>();
        AddCurve(records, method, 0, _warmCurve);
        if (method == ExperimentMethod.Sft)
        {
            var sft = EvaluateFinal(warmStart);
            return new MethodRun(new MethodResult(method, _seed, sft, 0, 0, null), records, Array.Empty<InfluenceSample>());
        }

        using var policy = warmStart.Clone();
        using var filter = CreateFilter(method, policy);
        var ppo = (method.IsGroupMethod() ? PpoOptions.Grpo with { SamplesPerPrompt = _options.GroupSize } : new PpoOptions()) with
        {
            Iterations = _options.Iterations, EpisodesPerIteration = _options.Episodes, LearningRate = _options.LearningRate,
            MaxNewTokens = MaxNewTokens, Seed = _seed,
            MiniBatches = 2, // the default before 256-episode iterations; kept so the experiment's runs stay comparable
        };
        var samples = new List<InfluenceSample>();
        var clock = new Stopwatch();
        using var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), ppo, filter);
        clock.Start();
        var run = trainer.Train(_data.TrainPrompts, metrics =>
        {
            clock.Stop();
            foreach (var (name, value) in metrics.Values.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                records.Add(new IterationRecord(method, _seed, metrics.Iteration, name, value));
            if (method == ExperimentMethod.IPpo && filter is not null) samples.AddRange(CorrectEpisodes(filter, metrics.Iteration));
            bool last = metrics.Iteration >= _options.Iterations || filter?.StopReason is not null;
            string curve = "";
            if (last || metrics.Iteration % _options.EvalEvery == 0)
            {
                var m = EvaluateCurve(policy);
                AddCurve(records, method, metrics.Iteration, m);
                curve = $"  held-out acc {m.Accuracy:P0} unfaithful {m.UnfaithfulRate:P0}";
            }
            _log.WriteLine($"  seed {_seed} {method.Name(),-17} iteration {metrics.Iteration,4}/{_options.Iterations}  reward {metrics[MetricNames.Scores],6:F3}  " +
                $"kl {metrics[MetricNames.Kl],6:F3}  kept {metrics[MetricNames.KeptFraction],4:P0}{curve}");
            clock.Start();
        });
        clock.Stop();
        if (run.StopReason is { } reason) _log.WriteLine($"  seed {_seed} {method.Name()}: {reason}");
        var final = EvaluateFinal(policy);
        return new MethodRun(new MethodResult(method, _seed, final, run.History.Count, clock.Elapsed.TotalSeconds, run.StopReason), records, samples);
    }

    private InfluenceFilter? CreateFilter(ExperimentMethod method, Policy policy)
    {
        var shared = new InfluenceFilterOptions { Seed = _seed, Threshold = _options.Threshold, RecomputeValidationEvery = _options.RecomputeValidationEvery };
        var options = method switch
        {
            // The paper's rule: kept episodes weighted by s / mean(s) (the library's default leaves them unweighted).
            ExperimentMethod.IPpo or ExperimentMethod.IGrpo => shared with { Rule = InfluenceRule.Influence, Reweight = true },
            ExperimentMethod.IPpoNoReweight => shared with { Rule = InfluenceRule.Influence, Reweight = false },
            ExperimentMethod.PpoRandomDrop => shared with { Rule = InfluenceRule.RandomDrop },
            _ => null,
        };
        return options is null ? null : new InfluenceFilter(ArithmeticDefaults.Tokenize(policy, _data.Validation), options, _judge);
    }

    private IEnumerable<InfluenceSample> CorrectEpisodes(InfluenceFilter filter, int iteration) =>
        filter.LastEpisodes
            .Where(e => e.Label is TraceLabel.CorrectFaithful or TraceLabel.CorrectUnfaithful)
            .Select(e => new InfluenceSample(_seed, iteration, e.Score, e.Label!.Value, e.Kept));

    private void AddCurve(List<IterationRecord> records, ExperimentMethod method, int iteration, PolicyMetrics m)
    {
        records.Add(new IterationRecord(method, _seed, iteration, HeldOutMetrics.Accuracy, m.Accuracy));
        records.Add(new IterationRecord(method, _seed, iteration, HeldOutMetrics.FaithfulAccuracy, m.FaithfulAccuracy));
        records.Add(new IterationRecord(method, _seed, iteration, HeldOutMetrics.UnfaithfulRate, m.UnfaithfulRate));
    }

    // The same sampling seed for every method of a seed, so they are compared on the same draws of the generator.
    private PolicyMetrics EvaluateCurve(Policy policy) => PolicyEvaluator.Evaluate(policy, _data.Curve, _judge, new EvaluationOptions
    {
        SamplesPerPrompt = 1, PassK = 1, IncludeGreedy = false, MaxNewTokens = MaxNewTokens, Seed = _seed * 1_000L + 7,
    }).Metrics;

    private PolicyMetrics EvaluateFinal(Policy policy) => PolicyEvaluator.Evaluate(policy, _data.HeldOut, _judge, new EvaluationOptions
    {
        SamplesPerPrompt = _options.Samples, PassK = _options.Samples, IncludeGreedy = true, MaxNewTokens = MaxNewTokens, Seed = _seed * 1_000L + 11,
    }).Metrics;
}
