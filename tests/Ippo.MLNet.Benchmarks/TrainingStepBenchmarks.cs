using BenchmarkDotNet.Attributes;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Benchmarks;

/// <summary>One SFT forward + backward + AdamW step on a batch of 16 sequences of 64 tokens.</summary>
public class TrainingStepBenchmarks
{
    private CausalLanguageModel _model = null!;
    private optim.Optimizer _optimizer = null!;
    private TrainingBatch _batch = null!;

    [GlobalSetup]
    public void Setup()
    {
        set_num_threads(Environment.ProcessorCount);
        _model = new GptLanguageModel(new GptConfig { VocabSize = 512, ContextLength = 160, Width = 128, Layers = 3, Heads = 4, InitSeed = 1 });
        _optimizer = optim.AdamW(_model.parameters(), lr: 1e-4);
        var random = new Random(2);
        var examples = Enumerable.Range(0, 16).Select(_ => new TokenizedExample(
            Enumerable.Range(0, 16).Select(_ => random.Next(1, 511)).ToArray(),
            Enumerable.Range(0, 48).Select(_ => random.Next(1, 511)).ToArray())).ToList();
        _batch = TrainingBatch.Collate(examples, 0, CPU);
    }

    [Benchmark(Description = "SFT step 16x64 (fwd+bwd+AdamW)")]
    public float Step() => SftStep.Run(_model, _optimizer, _batch);

    [GlobalCleanup]
    public void Cleanup()
    {
        _batch.Dispose();
        _optimizer.Dispose();
        _model.Dispose();
    }
}
