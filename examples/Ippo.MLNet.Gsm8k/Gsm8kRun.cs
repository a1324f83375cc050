using System.Text.Json;
using Ippo.MLNet.Core.Checkpoints;
using Ippo.MLNet.Core.Evaluation;
using Ippo.MLNet.Core.Influence;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Tasks.Gsm8k;
using Ippo.MLNet.Core.Training;

namespace Ippo.MLNet.Gsm8k;

/// <summary>
/// PPO or I-PPO on GSM8K from a Hugging Face model: optional SFT warm start on gold train solutions, rollouts on train
/// questions rewarded by the final answer, I-PPO's validation traces from held-back gold solutions, the calculator
/// step checker as judge, and an evaluation on the test split.
/// </summary>
public static class Gsm8kRun
{
    /// <summary>Runs with the files of <paramref name="options"/>; progress goes to <paramref name="log"/>.</summary>
    public static Gsm8kRunResult Run(Gsm8kRunOptions options, TextWriter log)
    {
        options.Validate();
        var dataFolder = DataFolder(options);
        var train = Gsm8kReader.Load(Path.Combine(dataFolder, "train.jsonl"), options.TrainPrompts + options.ValidationSize);
        var test = Gsm8kReader.Load(Path.Combine(dataFolder, "test.jsonl"), options.TestPrompts);
        return Run(options, train.Take(options.TrainPrompts).ToList(), train.Skip(options.TrainPrompts).ToList(), test, log);
    }

    /// <summary>Runs on rows already read: <paramref name="train"/> prompts, <paramref name="validation"/> gold traces, <paramref name="test"/> questions.</summary>
    public static Gsm8kRunResult Run(Gsm8kRunOptions options, IReadOnlyList<Gsm8kExample> train, IReadOnlyList<Gsm8kExample> validation,
        IReadOnlyList<Gsm8kExample> test, TextWriter log)
    {
        options.Validate();
        var device = Gsm8kDevice.Resolve(options.Device);
        using var policy = Policy.FromPretrained(options.ModelFolder, new PretrainedOptions { Device = device });
        var prompts = new Gsm8kPrompts(policy);
        log.WriteLine($"{options.ModelFolder}: {policy.Model.Config.ModelType}, {policy.Model.parameters().Sum(p => p.numel()):N0} parameters on {device}; " +
            (prompts.UsesChat ? "chat-template prompts" : "plain \"Question: ... Answer:\" prompts"));

        var rollout = Fit(prompts.Fitting(train, options.MaxNewTokens), "train prompts", train.Count, log);
        var gold = Fit(prompts.Fitting(validation, null), "validation traces", validation.Count, log);
        var evaluated = Fit(prompts.Fitting(test, options.MaxNewTokens), "test questions", test.Count, log);

        double sftLoss = double.NaN;
        if (options.SftSteps > 0)
        {
            var sft = prompts.Tokenized(prompts.Fitting(train, null));
            if (sft.Count == 0) throw new InvalidOperationException("No train solution fits the model's context: SFT has nothing to train on.");
            sftLoss = SftTrainer.Train(policy.Model, sft, policy.Tokenizer.PadId, new SftOptions
            {
                Steps = options.SftSteps, BatchSize = options.SftBatchSize, LearningRate = options.SftLearningRate,
                WarmupSteps = Math.Min(30, options.SftSteps / 10), Seed = options.Seed, LogEvery = Math.Max(1, Math.Min(50, options.SftSteps)),
            }, p => log.WriteLine($"  sft step {p.Step}: loss {p.Loss:F4}"));
            log.WriteLine($"SFT: {options.SftSteps} steps on {sft.Count} gold solutions, last-window loss {sftLoss:F4}");
        }

        var judge = new Gsm8kJudge();
        using var filter = options.Method == Gsm8kMethod.IPpo
            ? new InfluenceFilter(prompts.Tokenized(gold), new InfluenceFilterOptions { Seed = options.Seed, Threshold = options.Threshold }, judge)
            : null;
        var ppo = new PpoOptions
        {
            Iterations = options.Iterations, EpisodesPerIteration = options.Episodes, LearningRate = options.LearningRate,
            MaxNewTokens = options.MaxNewTokens, Seed = options.Seed, MiniBatches = Math.Min(2, options.Episodes / 2),
        };
        PpoRunResult training;
        using (var trainer = new PpoTrainer(policy, Gsm8kReward.Create(), ppo, filter))
        {
            training = trainer.Train(prompts.PromptExamples(rollout), m => log.WriteLine(
                $"  {options.Method} iteration {m.Iteration}/{options.Iterations}: reward {m[MetricNames.Scores]:F3} kl {m[MetricNames.Kl]:F4} kept {m[MetricNames.KeptFraction]:P0}"));
        }
        if (training.StopReason is { } reason) log.WriteLine($"Training stopped early: {reason}");

        var metrics = PolicyEvaluator.Evaluate(policy, prompts.PromptExamples(evaluated), judge, new EvaluationOptions
        {
            SamplesPerPrompt = options.Samples, PassK = options.Samples, IncludeGreedy = true, MaxNewTokens = options.MaxNewTokens,
            BatchSize = options.EvalBatchSize, Seed = options.Seed * 1_000L + 11,
        }).Metrics;
        log.WriteLine($"Test ({metrics.Prompts} questions, k={options.Samples}): accuracy {metrics.Accuracy:P1}, maj@{options.Samples} {metrics.MajorityVote:P1}, " +
            $"pass@{options.Samples} {metrics.PassAtK:P1}, greedy {metrics.GreedyAccuracy:P1}, faithful accuracy {metrics.FaithfulAccuracy:P1}, " +
            $"unfaithful {metrics.UnfaithfulRate:P1}, malformed {metrics.MalformedRate:P1}");

        var result = new Gsm8kRunResult(prompts.UsesChat, sftLoss, training, metrics);
        if (options.Output is { } output)
        {
            policy.SavePretrained(output);
            File.WriteAllText(Path.Combine(output, "gsm8k_metrics.json"), JsonSerializer.Serialize(metrics, new JsonSerializerOptions { WriteIndented = true }));
            log.WriteLine($"Saved the trained policy (Hugging Face layout) and gsm8k_metrics.json to {output}");
        }
        return result;
    }

    /// <summary>The data folder of <paramref name="options"/>; a <see cref="DirectoryNotFoundException"/> saying where it looked otherwise.</summary>
    public static string DataFolder(Gsm8kRunOptions options)
    {
        if (options.DataFolder is { } folder)
        {
            if (!File.Exists(Path.Combine(folder, "train.jsonl")) || !File.Exists(Path.Combine(folder, "test.jsonl")))
                throw new DirectoryNotFoundException($"--data '{folder}' must hold train.jsonl and test.jsonl (GSM8K's main split).");
            return folder;
        }
        if (Gsm8kDataLocator.TryFindDirectory(out var found) && found is not null && File.Exists(Path.Combine(found, "train.jsonl"))) return found;
        throw new DirectoryNotFoundException(
            $"No GSM8K data: pass --data <folder with train.jsonl and test.jsonl>, or set {Gsm8kDataLocator.EnvironmentVariable}, or put it in shared/data/gsm8k above the working directory.");
    }

    private static IReadOnlyList<Gsm8kExample> Fit(IReadOnlyList<Gsm8kExample> kept, string what, int total, TextWriter log)
    {
        if (kept.Count < total) log.WriteLine($"  {total - kept.Count} of {total} {what} do not fit the model's context and are skipped.");
        if (kept.Count == 0) throw new InvalidOperationException($"None of the {total} {what} fits the model's context (with --max-new-tokens).");
        return kept;
    }
}
