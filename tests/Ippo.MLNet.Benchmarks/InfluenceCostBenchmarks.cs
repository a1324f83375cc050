using BenchmarkDotNet.Attributes;
using Ippo.MLNet.Core.Influence;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Benchmarks;

/// <summary>
/// The cost of influence scoring next to the PPO update it filters, on one buffer of 64 episodes of the default
/// built-in model (width 128, 3 layers) with the default update (2 epochs x 2 minibatches, separate critic, AdamW).
/// The filter keeps every episode with weight 1 here, so the I-PPO update does exactly the plain update's work and
/// the difference is the price of scoring. Validation gradient: 32 gold traces, recomputed every call (the default).
/// </summary>
public class InfluenceCostBenchmarks
{
    private Policy _plainPolicy = null!, _ippoPolicy = null!;
    private PpoTrainer _plain = null!, _ippo = null!, _unfused = null!;
    private InfluenceFilter _filter = null!, _unfusedFilter = null!;
    private RolloutBuffer _buffer = null!;

    [GlobalSetup]
    public void Setup()
    {
        set_num_threads(Environment.ProcessorCount);
        var task = new ArithmeticTaskOptions();
        var options = new PpoOptions { EpisodesPerIteration = 64, MiniBatches = 2, LearningRate = 2e-5, Seed = 1 };
        _plainPolicy = ArithmeticDefaults.NewPolicy(ArithmeticDefaults.ModelConfig(initSeed: 1));
        _ippoPolicy = _plainPolicy.Clone();
        var gold = ArithmeticDefaults.Tokenize(_plainPolicy, ArithmeticDefaults.GoldTraces(task, 32, seed: 2));
        _filter = new InfluenceFilter(gold, new InfluenceFilterOptions { Rule = InfluenceRule.KeepAll });
        _unfusedFilter = new InfluenceFilter(gold, new InfluenceFilterOptions { Rule = InfluenceRule.KeepAll, FuseFirstUpdateStep = false });
        _plain = new PpoTrainer(_plainPolicy, ArithmeticReward.Create(), options);
        _ippo = new PpoTrainer(_ippoPolicy, ArithmeticReward.Create(), options, _filter);
        _unfused = new PpoTrainer(_ippoPolicy, ArithmeticReward.Create(), options, _unfusedFilter);
        _buffer = _plain.CollectRollout(ArithmeticDefaults.HeldOutPrompts(task, 256, seed: 3), new Dictionary<string, double>());
        Console.WriteLine($"// buffer: {_buffer.Count} episodes, mean response length {_buffer.ResponseMask.sum().ToDouble() / _buffer.Count:F1} tokens");
    }

    [Benchmark(Baseline = true, Description = "PPO update (plain)")]
    public void PlainUpdate() => _plain.Update(_buffer, EpisodeSelection.All(_buffer.Count), new Dictionary<string, double>());

    [Benchmark(Description = "influence scoring alone")]
    public void ScoringAlone()
    {
        var selection = _unfused.SelectEpisodes(_buffer, new Dictionary<string, double>());
        selection.ScoringPass?.Dispose();
    }

    [Benchmark(Description = "scoring + update, fused first step")]
    public void FusedScoringAndUpdate()
    {
        var metrics = new Dictionary<string, double>();
        _ippo.Update(_buffer, _ippo.SelectEpisodes(_buffer, metrics), metrics);
    }

    [Benchmark(Description = "scoring + update, separate backward")]
    public void UnfusedScoringAndUpdate()
    {
        var metrics = new Dictionary<string, double>();
        _unfused.Update(_buffer, _unfused.SelectEpisodes(_buffer, metrics), metrics);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _buffer.Dispose();
        _plain.Dispose();
        _ippo.Dispose();
        _unfused.Dispose();
        _filter.Dispose();
        _unfusedFilter.Dispose();
        _plainPolicy.Dispose();
        _ippoPolicy.Dispose();
    }
}
