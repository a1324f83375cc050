using BenchmarkDotNet.Attributes;
using Ippo.MLNet.Core.Influence;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Benchmarks;

/// <summary>
/// Per-episode scores the naive way (one backward per episode, flatten, dot) against the fast way (one backward to
/// the layer outputs, then a matmul per layer), for 64 and 256 episodes on two widths of the built-in model
/// (3 layers). Episodes: built-in prompts with random 12-32 token responses and random advantages.
/// </summary>
public class NaiveVsFastInfluenceBenchmarks
{
    private CausalLanguageModel _model = null!;
    private ValidationGradient _validation = null!;
    private EpisodeBatch _episodes = null!;
    private DisposeScope _scope = null!;
    private readonly EpisodeLossSettings _settings = new();

    [Params(64, 256)]
    public int Episodes { get; set; }

    [Params(64, 128)]
    public int Width { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        set_num_threads(Environment.ProcessorCount);
        var task = new ArithmeticTaskOptions();
        var policy = ArithmeticDefaults.NewPolicy(ArithmeticDefaults.ModelConfig(initSeed: 1) with { Width = Width });
        _model = policy.Model;
        _validation = ValidationGradient.Compute(_model, ArithmeticDefaults.Tokenize(policy, ArithmeticDefaults.GoldTraces(task, 32, seed: 2)), policy.Tokenizer.PadId);
        var random = new Random(4);
        var prompts = ArithmeticDefaults.HeldOutPrompts(task, Episodes, seed: 3).Select(p => policy.EncodePrompt(p.Prompt)).ToList();
        var responses = prompts.Select(_ => Enumerable.Range(0, random.Next(12, 33)).Select(_ => random.Next(3, (int)_model.Config.VocabSize)).ToArray()).ToList();
        var advantages = prompts.Select(_ => random.NextDouble() * 2 - 1).ToList();
        _scope = NewDisposeScope();
        _episodes = EpisodeBatch.FromTokens(_model, prompts, responses, advantages, policy.Tokenizer.PadId);
    }

    [Benchmark(Baseline = true, Description = "fast influence")]
    public double[] Fast() => InfluenceScoring.Fast(_model, _episodes, _validation, _settings);

    [Benchmark(Description = "naive influence")]
    public double[] Naive() => InfluenceScoring.Naive(_model, _episodes, _validation, _settings);

    [GlobalCleanup]
    public void Cleanup()
    {
        _scope.Dispose();
        _validation.Dispose();
        _model.Dispose();
    }
}
