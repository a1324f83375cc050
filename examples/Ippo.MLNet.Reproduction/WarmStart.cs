using System.Diagnostics;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using Ippo.MLNet.Core.Training;

namespace Ippo.MLNet.Reproduction;

/// <summary>The SFT warm start shared by every method of a seed.</summary>
internal static class WarmStart
{
    /// <summary>
    /// A fresh policy of the configured shape, initialised from <paramref name="seed"/> and fine-tuned on the corpus;
    /// with <see cref="ExperimentOptions.WarmStartCache"/>, loaded from there when an identical warm start was saved.
    /// </summary>
    public static Policy Train(ExperimentOptions options, SeedData data, int seed, TextWriter log)
    {
        if (options.WarmStartCache is not { } cache) return TrainNew(options, data, seed, log);
        // Everything the warm start depends on is in the folder name, so a cached policy is the one this run would train.
        var folder = Path.Combine(cache, $"seed{seed}-w{options.ModelWidth}-l{options.ModelLayers}-h{options.Heads}" +
            $"-steps{options.SftSteps}-batch{options.SftBatchSize}-corpus{options.SftCorpusSize}" +
            (options.SftLearningRate == 1e-3 ? "" : $"-lr{options.SftLearningRate:R}"));
        if (File.Exists(Path.Combine(folder, "config.json")))
        {
            log.WriteLine($"  seed {seed} SFT warm start loaded from {folder}");
            return Policy.Load(folder);
        }
        var policy = TrainNew(options, data, seed, log);
        policy.Save(folder);
        return policy;
    }

    private static Policy TrainNew(ExperimentOptions options, SeedData data, int seed, TextWriter log)
    {
        var config = ArithmeticDefaults.ModelConfig(initSeed: seed) with
        {
            Width = options.ModelWidth, Layers = options.ModelLayers, Heads = options.Heads,
        };
        var policy = ArithmeticDefaults.NewPolicy(config);
        var clock = Stopwatch.StartNew();
        var sft = new SftOptions
        {
            Steps = options.SftSteps, BatchSize = options.SftBatchSize, LearningRate = options.SftLearningRate, Seed = seed,
            LogEvery = Math.Max(1, options.SftSteps / 10),
        };
        double loss = SftTrainer.Train(policy.Model, ArithmeticDefaults.Tokenize(policy, data.Corpus), policy.Tokenizer.PadId, sft,
            p => log.WriteLine($"  seed {seed} SFT step {p.Step}/{p.TotalSteps} loss {p.Loss:F3} ({clock.Elapsed.TotalSeconds:F0} s)"));
        log.WriteLine($"  seed {seed} SFT warm start done: loss {loss:F3}, {clock.Elapsed.TotalSeconds:F1} s");
        return policy;
    }
}
