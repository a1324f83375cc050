using BenchmarkDotNet.Attributes;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Runtime;
using Ippo.MLNet.Core.Training;
using static TorchSharp.torch;

namespace Ippo.MLNet.Benchmarks;

/// <summary>
/// A forward + backward + AdamW step of the default model (width 128, 3 layers, 4 heads) on 64 sequences of 42
/// tokens, on idle cores and next to another (niced) training process. libgomp reads its settings once, when libtorch
/// loads, so each OpenMP setting needs a fresh process: <c>openmp-contention.sh</c> runs this benchmark once per
/// setting (the in-process toolchain is needed for the patched TorchSharp native, see Program.cs).
/// </summary>
public class OpenMpContentionBenchmarks
{
    private GptLanguageModel _model = null!;
    private optim.Optimizer _optimizer = null!;
    private TrainingBatch _batch = null!;
    private BackgroundLoad? _load;

    /// <summary>Whether another training process (nice 10, libgomp's default wait policy) runs during the measurement.</summary>
    [Params(false, true)]
    public bool Contended { get; set; }

    /// <summary>Builds the model and batch and, when contended, starts another training process as background load (stopped after 10 minutes at most).</summary>
    [GlobalSetup]
    public void Setup()
    {
        Console.WriteLine($"// OpenMP setting: {IppoRuntime.LastOutcome}, GOMP_SPINCOUNT={Environment.GetEnvironmentVariable("GOMP_SPINCOUNT")}, OMP_WAIT_POLICY={Environment.GetEnvironmentVariable("OMP_WAIT_POLICY")}");
        CreateModel();
        if (Contended) _load = new BackgroundLoad(maximumSeconds: 600);
    }

    /// <summary>The model, optimizer and batch of the step, on every core.</summary>
    public void CreateModel()
    {
        set_num_threads(Environment.ProcessorCount);
        _model = new GptLanguageModel(new GptConfig { VocabSize = 512, ContextLength = 128, Width = 128, Layers = 3, Heads = 4, InitSeed = 1 });
        _optimizer = optim.AdamW(_model.parameters(), lr: 1e-4);
        var random = new Random(2);
        var examples = Enumerable.Range(0, 64).Select(_ => new TokenizedExample(
            Enumerable.Range(0, 10).Select(_ => random.Next(1, 511)).ToArray(),
            Enumerable.Range(0, 32).Select(_ => random.Next(1, 511)).ToArray())).ToList();
        _batch = TrainingBatch.Collate(examples, 0, CPU);
    }

    /// <summary>One training step.</summary>
    [Benchmark(Description = "step 64x42 (fwd+bwd+AdamW)")]
    public float Step()
    {
        using var scope = NewDisposeScope();
        _optimizer.zero_grad();
        var loss = SftLoss.Compute(_model, _batch);
        loss.backward();
        _optimizer.step();
        return loss.item<float>();
    }

    /// <summary>Stops the background load and frees the model.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _load?.Dispose();
        _batch.Dispose();
        _optimizer.Dispose();
        _model.Dispose();
    }
}
