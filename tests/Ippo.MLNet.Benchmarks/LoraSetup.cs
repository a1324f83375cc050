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
/// the default options (separate critic, KL reference, 2 epochs x 2 minibatches) on 64 episodes of the built-in
/// prompts, at most 16 new tokens; full fine-tuning, or LoRA rank 16 (alpha 32) on every linear layer. Peak memory is
/// the peak resident set (VmHWM) of a separate process per mode (<see cref="PeakMemoryArgument"/>) after one
/// iteration (its first AdamW step allocates the optimizer states), so each figure holds the model, its reference and critic, optimizer states and the activations.
/// </summary>
internal sealed class LoraSetup : IDisposable
{
    public const string PeakMemoryArgument = "--lora-peak-memory";

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

    public static LoraSetup Create(bool lora, int miniBatches = MiniBatches)
    {
        torch.set_num_threads(Environment.ProcessorCount);
        var policy = ArithmeticDefaults.NewPolicy(ModelConfig());
        if (lora) LoraAdapters.Apply(policy.Model, new LoraOptions { Rank = 16, Alpha = 32 });
        var options = new PpoOptions { EpisodesPerIteration = 64, MaxNewTokens = 16, MiniBatches = miniBatches, Seed = 4 };
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

    /// <summary>The child process: two iterations, then "peak_rss_kib=N" on stdout.</summary>
    public static void RunPeakMemory(string mode, int miniBatches = MiniBatches)
    {
        using var setup = Create(mode == "lora", miniBatches);
        setup.Trainer.Step(setup.Prompts);
        Console.WriteLine($"peak_rss_kib={PeakRssKib()}");
    }

    /// <summary>Peak resident set of a fresh process of this executable in <paramref name="mode"/> ("full" or "lora"), in KiB.</summary>
    public static long MeasurePeakMemory(string mode)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("No process path.");
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") start.ArgumentList.Add(typeof(LoraSetup).Assembly.Location);
        start.ArgumentList.Add(PeakMemoryArgument);
        start.ArgumentList.Add(mode);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the peak-memory process.");
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var line = output.Split('\n').LastOrDefault(l => l.StartsWith("peak_rss_kib=", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"The {mode} peak-memory process (exit {process.ExitCode}) printed no figure: {output}");
        return long.Parse(line["peak_rss_kib=".Length..]);
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
