using BenchmarkDotNet.Attributes;
using Ippo.MLNet.Core.Generation;
using Ippo.MLNet.Core.Models;

namespace Ippo.MLNet.Benchmarks;

/// <summary>128 new tokens for a batch of 16 prompts, with and without the KV cache (greedy, no early stop).</summary>
public class GenerationBenchmarks
{
    private const int Eos = 511;
    private CausalLanguageModel _model = null!;
    private TextGenerator _generator = null!;
    private int[][] _prompts = null!;
    private readonly GenerationOptions _options = new() { Temperature = 0, MaxNewTokens = 128 };

    [GlobalSetup]
    public void Setup()
    {
        TorchSharp.torch.set_num_threads(Environment.ProcessorCount);
        _model = new GptLanguageModel(new GptConfig { VocabSize = 512, ContextLength = 160, Width = 128, Layers = 3, Heads = 4, InitSeed = 1 });
        _generator = new TextGenerator(_model, 0, Eos);
        var random = new Random(1);
        _prompts = Enumerable.Range(0, 16).Select(_ => Enumerable.Range(0, random.Next(6, 12)).Select(_ => random.Next(1, Eos)).ToArray()).ToArray();
        using var check = _generator.Generate(_prompts, _options);
        if (check.Tokens.shape[1] != 128 || check.EndedWithStop.Any(e => e))
            throw new InvalidOperationException("The benchmark model stopped early; pick another EOS id so every row makes 128 tokens.");
    }

    [Benchmark(Baseline = true, Description = "generate 16x128, KV cache")]
    public long WithCache()
    {
        using var result = _generator.Generate(_prompts, _options);
        return result.Tokens.shape[1];
    }

    [Benchmark(Description = "generate 16x128, no cache")]
    public long WithoutCache()
    {
        using var result = _generator.Generate(_prompts, _options with { UseKvCache = false });
        return result.Tokens.shape[1];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _generator.Dispose();
        _model.Dispose();
    }
}
