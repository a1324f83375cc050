using BenchmarkDotNet.Attributes;
using Ippo.MLNet.Core.Generation;
using Ippo.MLNet.Core.Influence;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using Ippo.MLNet.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Benchmarks;

/// <summary>
/// One I-PPO iteration of the quickstart's configuration (default built-in model, width 128, 3 layers; 64 episodes of
/// at most 32 new tokens; the default update; 32 gold validation traces, scores and validation gradient recomputed
/// every iteration) next to each of its phases, so every phase's Ratio is its share of the iteration. The policy is
/// a short SFT warm start on the quickstart's corpus, so responses have the quickstart's shape and length.
/// </summary>
public class IterationProfileBenchmarks
{
    private readonly ArithmeticTaskOptions _task = new();
    private Policy _policy = null!;
    private PpoTrainer _trainer = null!;
    private InfluenceFilter _filter = null!;
    private TextGenerator _generator = null!;
    private IReadOnlyList<PromptExample> _prompts = null!;
    private List<int[]> _promptIds = null!;
    private RolloutBuffer _buffer = null!;
    private EpisodeSelection? _selection;
    private PpoOptions _options = null!;

    [GlobalSetup]
    public void Setup()
    {
        set_num_threads(Environment.ProcessorCount);
        _policy = ArithmeticDefaults.NewPolicy(ArithmeticDefaults.ModelConfig(initSeed: 1));
        var corpus = new SftCorpusGenerator(_task, new SftCorpusOptions(), seed: 1).Take(4000);
        SftTrainer.Train(_policy.Model, ArithmeticDefaults.Tokenize(_policy, corpus), _policy.Tokenizer.PadId,
            new SftOptions { Steps = 300, BatchSize = 64, LearningRate = 1e-3 });
        _options = new PpoOptions { EpisodesPerIteration = 64, MiniBatches = 2, LearningRate = 3e-5, MaxNewTokens = 32, Seed = 4 };
        var gold = ArithmeticDefaults.Tokenize(_policy, ArithmeticDefaults.GoldTraces(_task, 32, seed: 5));
        _filter = new InfluenceFilter(gold, new InfluenceFilterOptions { MinKeptFraction = 0 });
        _trainer = new PpoTrainer(_policy, ArithmeticReward.Create(), _options, _filter);
        _prompts = ArithmeticDefaults.HeldOutPrompts(_task, 2000, seed: 2);
        _promptIds = _prompts.Take(64).Select(p => _policy.EncodePrompt(p.Prompt)).ToList();
        _generator = new TextGenerator(_policy, seed: 1);
        _buffer = _trainer.CollectRollout(_prompts, new Dictionary<string, double>());
        Console.WriteLine($"// buffer: {_buffer.Count} episodes, mean response length {_buffer.ResponseMask.sum().ToDouble() / _buffer.Count:F1} tokens");
    }

    [Benchmark(Baseline = true, Description = "whole I-PPO iteration")]
    public void WholeIteration() => _trainer.Step(_prompts);

    [Benchmark(Description = "generation (KV cache, no grad)")]
    public long Generation()
    {
        using var result = _generator.Generate(_promptIds, new GenerationOptions { Temperature = 1, MaxNewTokens = _options.MaxNewTokens!.Value });
        return result.Tokens.shape[1];
    }

    [Benchmark(Description = "reference + value forward")]
    public void ReferenceAndValueForward()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        SequenceScoring.LogProbsAndEntropy(_trainer.Reference!, _buffer.PromptTokens, _buffer.PromptMask, _buffer.ResponseTokens, _buffer.ResponseMask, _options.Temperature);
        var tokens = cat(new[] { _buffer.PromptTokens, _buffer.ResponseTokens }, 1);
        var mask = cat(new[] { _buffer.PromptMask, _buffer.ResponseMask }, 1);
        _trainer.Critic!.Forward(tokens, mask);
    }

    [Benchmark(Description = "influence scoring (validation gradient + scores)")]
    public void InfluenceScoring()
    {
        var selection = _trainer.SelectEpisodes(_buffer, new Dictionary<string, double>());
        selection.ScoringPass?.Dispose();
    }

    [IterationSetup(Target = nameof(Update))]
    public void SelectForUpdate() => _selection = _trainer.SelectEpisodes(_buffer, new Dictionary<string, double>());

    [Benchmark(Description = "update (kept episodes, fused first step)")]
    public void Update() => _trainer.Update(_buffer, _selection!, new Dictionary<string, double>());

    [GlobalCleanup]
    public void Cleanup()
    {
        // The trainer's own phase clocks over the whole-iteration runs: where the influence time goes.
        var history = _trainer.History;
        double Mean(string metric) => history.Average(m => m[metric]) * 1000;
        Console.WriteLine($"// trainer clocks over {history.Count} iterations (ms): rollout {Mean(MetricNames.RolloutSeconds):F0}, " +
            $"reward + reference/value + advantages {Mean(MetricNames.ScoringSeconds):F0}, validation gradient {Mean(MetricNames.ValidationGradientSeconds):F0}, " +
            $"episode scores {Mean(MetricNames.InfluenceSeconds):F0}, filter total {Mean(MetricNames.FilterSeconds):F0}, update {Mean(MetricNames.UpdateSeconds):F0}, " +
            $"kept fraction {history.Average(m => m[MetricNames.KeptFraction]):P0}");
        _buffer.Dispose();
        _generator.Dispose();
        _trainer.Dispose();
        _filter.Dispose();
        _policy.Dispose();
    }
}
