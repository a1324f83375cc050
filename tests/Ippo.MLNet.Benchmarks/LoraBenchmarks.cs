using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Ippo.MLNet.Core.Ppo;

namespace Ippo.MLNet.Benchmarks;

/// <summary>
/// Full fine-tuning against LoRA rank 16 on every linear layer, on <see cref="LoraSetup"/>'s 36M-parameter Llama: one
/// PPO iteration, and the I-PPO scoring pass (validation gradient over 32 gold traces + every episode's score, over
/// all parameters for full fine-tuning, over the adapters for LoRA). Each category's Ratio is LoRA over full; the
/// three <c>lora/full</c> lines use the medians of the measured runs, and peak memory comes from two separate processes.
/// </summary>
[WarmupCount(1), IterationCount(2)]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory), CategoriesColumn]
public class LoraBenchmarks
{
    private static readonly Dictionary<string, List<double>> Seconds = new();
    private static (long Full, long Lora)? _peak;
    private LoraSetup _setup = null!;
    private RolloutBuffer? _buffer;

    private void Setup(bool lora)
    {
        // Both peak-memory processes run first, while this process holds no model.
        if (_peak is null)
        {
            long Peak(string mode)
            {
                using var process = LoraSetup.Start(mode);
                return (long)LoraSetup.Read(process)["peak_rss_kib"];
            }
            _peak = (Peak("full"), Peak("lora"));
        }
        _setup = LoraSetup.Create(lora);
    }

    [GlobalSetup(Targets = new[] { nameof(FullIteration) })]
    public void SetupFull() => Setup(lora: false);

    [GlobalSetup(Targets = new[] { nameof(LoraIteration) })]
    public void SetupLora() => Setup(lora: true);

    [GlobalSetup(Targets = new[] { nameof(FullInfluence) })]
    public void SetupFullInfluence()
    {
        Setup(lora: false);
        _buffer = _setup.Trainer.CollectRollout(_setup.Prompts, new Dictionary<string, double>());
    }

    [GlobalSetup(Targets = new[] { nameof(LoraInfluence) })]
    public void SetupLoraInfluence()
    {
        Setup(lora: true);
        _buffer = _setup.Trainer.CollectRollout(_setup.Prompts, new Dictionary<string, double>());
    }

    [BenchmarkCategory("PPO iteration"), Benchmark(Baseline = true, Description = "PPO iteration, full fine-tuning")]
    public void FullIteration() => Timed("full iteration", () => _setup.Trainer.Step(_setup.Prompts));

    [BenchmarkCategory("PPO iteration"), Benchmark(Description = "PPO iteration, LoRA r16 all-linear")]
    public void LoraIteration() => Timed("lora iteration", () => _setup.Trainer.Step(_setup.Prompts));

    [BenchmarkCategory("influence"), Benchmark(Baseline = true, Description = "influence scoring, all parameters")]
    public void FullInfluence() => Timed("full influence", () => _setup.Score(_buffer!));

    [BenchmarkCategory("influence"), Benchmark(Description = "influence scoring, adapters")]
    public void LoraInfluence() => Timed("lora influence", () => _setup.Score(_buffer!));

    private static void Timed(string key, Action work)
    {
        var clock = Stopwatch.StartNew();
        work();
        if (!Seconds.TryGetValue(key, out var list)) Seconds[key] = list = new List<double>();
        list.Add(clock.Elapsed.TotalSeconds);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _buffer?.Dispose();
        _buffer = null;
        _setup.Dispose();
        var keys = new[] { "full iteration", "lora iteration", "full influence", "lora influence" };
        if (!keys.All(Seconds.ContainsKey) || _peak is not { } peak) return;
        // The first run of each is BenchmarkDotNet's warm-up (first AdamW step allocates the optimizer state).
        double Median(string key)
        {
            var runs = Seconds[key].Skip(1).OrderBy(s => s).ToList();
            return runs.Count % 2 == 1 ? runs[runs.Count / 2] : (runs[runs.Count / 2 - 1] + runs[runs.Count / 2]) / 2;
        }
        Console.WriteLine($"// peak RSS (KiB): full {peak.Full}, lora {peak.Lora}; medians (s): full iteration {Median("full iteration"):F2}, " +
            $"lora iteration {Median("lora iteration"):F2}, full influence {Median("full influence"):F2}, lora influence {Median("lora influence"):F2}");
        Console.WriteLine($"lora/full peak memory: {peak.Lora / (double)peak.Full:F2}");
        Console.WriteLine($"lora/full iteration time: {Median("lora iteration") / Median("full iteration"):F2}");
        Console.WriteLine($"lora/full influence time: {Median("lora influence") / Median("full influence"):F2}");
    }
}
