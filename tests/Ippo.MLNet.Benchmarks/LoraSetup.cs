using System.Diagnostics;
using Ippo.MLNet.Core.Influence;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Models.Llama;
using Ippo.MLNet.Core.Models.Lora;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using Ippo.MLNet.Core.Tokenization;
using Ippo.MLNet.Core.Training;
using TorchSharp;

namespace Ippo.MLNet.Benchmarks;

/// <summary>
/// The LoRA benchmark's run: a random Llama-architecture model of 36.4M parameters (hidden 640, 8 layers, 10 heads
/// with 5 key/value heads, SwiGLU 1728, the built-in character vocabulary, tied head) in float32 on the CPU; PPO with
/// the default options (separate critic, KL reference, 2 epochs, the rollout's scoring forwards in chunks of 16 rows)
/// but 2 minibatches of 32 episodes, each run in gradient micro-batches of 8 rows, on 64 episodes of the built-in
/// prompts, at most 16 new tokens; full fine-tuning, or LoRA rank 16 (alpha 32) on every linear layer. Peak memory is
/// the peak resident set (VmHWM) of a separate process per mode (<see cref="PeakMemoryArgument"/>) after one
/// iteration (its first AdamW step allocates the optimizer states), so each figure holds the model, its reference and critic, optimizer states and the activations.
/// </summary>
internal sealed class LoraSetup : IDisposable
{
    public const string PeakMemoryArgument = "--lora-peak-memory";

    /// <summary>Runs <see cref="Compare"/> and exits.</summary>
    public const string CompareArgument = "--lora-compare";

    private static readonly ArithmeticTaskOptions Task = new();

    /// <summary>PPO minibatches per epoch (the default is 2).</summary>
    public const int MiniBatches = 2;

    private LoraSetup(Policy policy, PpoTrainer trainer, InfluenceFilter filter, IReadOnlyList<PromptExample> prompts)
    {
        Policy = policy;
        Trainer = trainer;
        Filter = filter;
        Prompts = prompts;
    }

    public Policy Policy { get; }
    public PpoTrainer Trainer { get; }
    public InfluenceFilter Filter { get; }
    public IReadOnlyList<PromptExample> Prompts { get; }

    public static LlamaConfig ModelConfig() => new()
    {
        VocabSize = PolicyTokenizer.CreateArithmetic().VocabSize, HiddenSize = 640, IntermediateSize = 1728, NumHiddenLayers = 8,
        NumAttentionHeads = 10, NumKeyValueHeads = 5, MaxPositionEmbeddings = 64, TieWordEmbeddings = true,
    };

    /// <summary>Rows per gradient micro-batch of the update (<see cref="PpoOptions.MicroBatchSize"/>).</summary>
    public const int MicroBatchSize = 8;

    /// <summary>Rows per chunk of the rollout's scoring forwards (<see cref="PpoOptions.ScoringChunkSize"/>, its default).</summary>
    public const int ScoringChunkSize = 16;

    public static LoraSetup Create(bool lora, int miniBatches = MiniBatches, int? microBatchSize = MicroBatchSize, int? scoringChunkSize = ScoringChunkSize)
    {
        torch.set_num_threads(Environment.ProcessorCount);
        var policy = ArithmeticDefaults.NewPolicy(ModelConfig());
        if (lora) LoraAdapters.Apply(policy.Model, new LoraOptions { Rank = 16, Alpha = 32 });
        var options = new PpoOptions
        {
            EpisodesPerIteration = 64, MaxNewTokens = 16, MiniBatches = miniBatches, Seed = 4,
            MicroBatchSize = microBatchSize, ScoringChunkSize = scoringChunkSize,
        };
        var gold = ArithmeticDefaults.Tokenize(policy, ArithmeticDefaults.GoldTraces(Task, 32, seed: 5));
        // KeepAll: the filter scores every episode (the timed work) and changes nothing of the update.
        var filter = new InfluenceFilter(gold, new InfluenceFilterOptions { Rule = InfluenceRule.KeepAll, MinKeptFraction = 0 });
        var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), options, filter: null);
        return new LoraSetup(policy, trainer, filter, ArithmeticDefaults.HeldOutPrompts(Task, 2000, seed: 2));
    }

    /// <summary>The scoring pass the I-PPO filter runs on a buffer: validation gradient and every episode's score.</summary>
    public void Score(RolloutBuffer buffer)
    {
        var selection = Filter.Select(buffer, Trainer);
        selection.ScoringPass?.Dispose();
    }

    /// <summary>
    /// The child process of one mode: a warm-up iteration (its first AdamW step allocates the optimizer states), a timed
    /// iteration, the peak resident set so far, then a timed scoring pass on a fresh buffer. Prints "key=value" lines.
    /// </summary>
    public static void RunPeakMemory(string mode, int miniBatches = MiniBatches)
    {
        using var setup = Create(mode == "lora", miniBatches);
        Console.WriteLine($"parameters={setup.Policy.Model.parameters().Sum(p => p.numel())}");
        setup.Trainer.Step(setup.Prompts);
        var clock = Stopwatch.StartNew();
        setup.Trainer.Step(setup.Prompts);
        Console.WriteLine($"iteration_s={clock.Elapsed.TotalSeconds:F3}");
        Console.WriteLine($"peak_rss_kib={PeakRssKib()}");
        using var buffer = setup.Trainer.CollectRollout(setup.Prompts, new Dictionary<string, double>());
        clock.Restart();
        setup.Score(buffer);
        Console.WriteLine($"influence_s={clock.Elapsed.TotalSeconds:F3}");
    }

    /// <summary>Starts a fresh process of this executable in <paramref name="mode"/> ("full" or "lora"); <see cref="Read"/> collects its figures.</summary>
    public static Process Start(string mode)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("No process path.");
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") start.ArgumentList.Add(typeof(LoraSetup).Assembly.Location);
        start.ArgumentList.Add(PeakMemoryArgument);
        start.ArgumentList.Add(mode);
        return Process.Start(start) ?? throw new InvalidOperationException("Could not start the measuring process.");
    }

    /// <summary>The "key=value" lines of a process from <see cref="Start"/>, once it has exited.</summary>
    public static Dictionary<string, double> Read(Process process)
    {
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var values = output.Split('\n').Select(l => l.Trim().Split('=')).Where(kv => kv.Length == 2 && double.TryParse(kv[1], out _))
            .ToDictionary(kv => kv[0], kv => double.Parse(kv[1]));
        if (!values.ContainsKey("influence_s")) throw new InvalidOperationException($"The measuring process (exit {process.ExitCode}) did not finish: {output}");
        return values;
    }

    /// <summary>
    /// Both modes in two processes started together, so the machine's background load falls on both alike; prints
    /// each process's figures and the three lora/full lines.
    /// </summary>
    public static void Compare()
    {
        using var full = Start("full");
        using var lora = Start("lora");
        var f = Read(full);
        var l = Read(lora);
        foreach (var (name, v) in new[] { ("full", f), ("lora", l) })
            Console.WriteLine($"// {name}: {string.Join(", ", v.Select(kv => $"{kv.Key} {kv.Value}"))}");
        Console.WriteLine($"lora/full peak memory: {l["peak_rss_kib"] / f["peak_rss_kib"]:F2}");
        Console.WriteLine($"lora/full iteration time: {l["iteration_s"] / f["iteration_s"]:F2}");
        Console.WriteLine($"lora/full influence time: {l["influence_s"] / f["influence_s"]:F2}");
    }

    private static long PeakRssKib()
    {
        var hwm = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(hwm["VmHWM:".Length..].Trim().Split(' ')[0]);
    }

    public void Dispose()
    {
        Trainer.Dispose();
        Filter.Dispose();
        Policy.Dispose();
    }
}
