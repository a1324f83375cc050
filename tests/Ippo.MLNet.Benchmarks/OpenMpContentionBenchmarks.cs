using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Runtime;
using Ippo.MLNet.Core.Training;
using static TorchSharp.torch;

namespace Ippo.MLNet.Benchmarks;

/// <summary>
/// A forward + backward + AdamW step of the default model (width 128, 3 layers, 4 heads) on 64 sequences of 42
/// tokens, alternately on idle cores and next to another (niced) training process: the load is paused (SIGSTOP) before
/// even iterations and resumed (SIGCONT) before odd ones, so both kinds of step see the same machine, whatever else
/// runs on it. The cleanup prints <c>contended/idle step time</c> from the medians of the two kinds. libgomp reads its
/// settings once, when libtorch loads, so each OpenMP setting needs a fresh process: <c>openmp-contention.sh</c> runs
/// this benchmark once per setting (the in-process toolchain is needed for the patched TorchSharp native, see Program.cs).
/// </summary>
[WarmupCount(2), IterationCount(24)]
public class OpenMpContentionBenchmarks
{
    private GptLanguageModel _model = null!;
    private optim.Optimizer _optimizer = null!;
    private TrainingBatch _batch = null!;
    private BackgroundLoad? _load;
    private int _iteration;
    private bool _contended;
    private readonly List<double> _idleMs = new(), _contendedMs = new();

    /// <summary>Builds the model and batch and starts the background load, paused (stopped after 10 minutes at most).</summary>
    [GlobalSetup]
    public void Setup()
    {
        Console.WriteLine($"// OpenMP setting: {IppoRuntime.LastOutcome}, GOMP_SPINCOUNT={Environment.GetEnvironmentVariable("GOMP_SPINCOUNT")}, OMP_WAIT_POLICY={Environment.GetEnvironmentVariable("OMP_WAIT_POLICY")}");
        CreateModel();
        _load = new BackgroundLoad(maximumSeconds: 600);
        _load.Pause();
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

    /// <summary>Pauses the load before even iterations and resumes it before odd ones.</summary>
    [IterationSetup]
    public void ToggleLoad()
    {
        _contended = _iteration++ % 2 == 1;
        if (_contended) _load!.Resume();
        else _load!.Pause();
        Thread.Sleep(50); // let the scheduler settle on the new state
    }

    /// <summary>One training step, timed by kind (idle or contended) as well.</summary>
    [Benchmark(Description = "step 64x42 (fwd+bwd+AdamW), idle and contended alternately")]
    public float Step()
    {
        var clock = Stopwatch.StartNew();
        var loss = TrainStep();
        (_contended ? _contendedMs : _idleMs).Add(clock.Elapsed.TotalMilliseconds);
        return loss;
    }

    /// <summary>The step itself.</summary>
    public float TrainStep() => SftStep.Run(_model, _optimizer, _batch);

    /// <summary>Stops the background load, prints the ratio of the medians (warm-up steps left out) and frees the model.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _load?.Dispose();
        static double Median(List<double> v) { var s = v.Skip(2).Order().ToArray(); return s.Length == 0 ? double.NaN : s[s.Length / 2]; }
        double idle = Median(_idleMs), contended = Median(_contendedMs);
        Console.WriteLine($"// idle step median {idle:F1} ms ({_idleMs.Count} steps), contended step median {contended:F1} ms ({_contendedMs.Count} steps)");
        Console.WriteLine($"// contended/idle step time: {contended / idle:F2}");
        _batch.Dispose();
        _optimizer.Dispose();
        _model.Dispose();
    }
}
