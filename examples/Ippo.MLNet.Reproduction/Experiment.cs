using System.Diagnostics;
using Ippo.MLNet.Core.Tasks.Arithmetic;

namespace Ippo.MLNet.Reproduction;

/// <summary>
/// The paper's experiment on the built-in arithmetic task: per seed one SFT warm start, then SFT (no RL), PPO, I-PPO,
/// I-PPO without reweighting and PPO with random drop from clones of it, all with the same rollout budget; writes the
/// result files and figures. The program calls it with the command line's options; tests call it with tiny ones.
/// </summary>
public static class Experiment
{
    /// <summary>
    /// Runs every seed and method of <paramref name="options"/>, writes results.csv, iterations.csv,
    /// influence-scores.csv, results-summary.md and the PNG figures into <see cref="ExperimentOptions.Output"/>
    /// (created if missing), and logs progress to <paramref name="log"/>.
    /// </summary>
    public static ExperimentResults Run(ExperimentOptions options, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        options.Validate();
        if (options.Threads > 0) TorchSharp.torch.set_num_threads(options.Threads);
        var task = new ArithmeticTaskOptions();
        Directory.CreateDirectory(options.Output);
        var clock = Stopwatch.StartNew();
        var results = new List<MethodResult>();
        var iterations = new List<IterationRecord>();
        var samples = new List<InfluenceSample>();
        var methods = ExperimentMethods.All.Where(options.Methods.Contains).ToList();
        foreach (var seed in options.Seeds)
        {
            log.WriteLine($"Seed {seed}: data and SFT warm start ({clock.Elapsed:hh\\:mm\\:ss})");
            var data = SeedData.Create(task, options, seed);
            using var warmStart = WarmStart.Train(options, data, seed, log);
            var runner = new MethodRunner(options, data, seed, log);
            foreach (var method in methods)
            {
                log.WriteLine($"Seed {seed}: {method.Name()} ({clock.Elapsed:hh\\:mm\\:ss})");
                var run = runner.Run(method, warmStart);
                results.Add(run.Result);
                iterations.AddRange(run.Iterations);
                samples.AddRange(run.InfluenceSamples);
                var m = run.Result.Metrics;
                log.WriteLine($"  seed {seed} {method.Name()}: accuracy {m.Accuracy:P1}, faithful {m.FaithfulAccuracy:P1}, unfaithful {m.UnfaithfulRate:P1}, " +
                    $"maj@{options.Samples} {m.MajorityVote:P1}, pass@{options.Samples} {m.PassAtK:P1}, greedy {m.GreedyAccuracy:P1}, {run.Result.Iterations} iterations");
            }
        }

        var summary = SummaryTable.Compute(results, iterations);
        var files = new List<string>
        {
            ResultsWriter.WriteResults(options.Output, results),
            ResultsWriter.WriteIterations(options.Output, iterations),
            ResultsWriter.WriteInfluenceSamples(options.Output, samples),
            ResultsWriter.WriteSummary(options.Output, summary, results, options),
        };
        files.AddRange(Plots.WriteAll(options.Output, iterations, samples));
        log.Write(PairedDifferences.ToMarkdown(results));
        log.WriteLine($"Done in {clock.Elapsed:hh\\:mm\\:ss}; wrote {files.Count} files to {Path.GetFullPath(options.Output)}");
        return new ExperimentResults(results, iterations, samples, summary, files);
    }
}
