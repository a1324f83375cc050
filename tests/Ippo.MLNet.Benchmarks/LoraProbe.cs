using System.Diagnostics;

namespace Ippo.MLNet.Benchmarks;

/// <summary>
/// Where the LoRA benchmark's memory goes: one PPO iteration of <see cref="LoraSetup"/> run phase by phase (rollout,
/// filter, update), printing the peak (VmHWM) and current (VmRSS) resident set after setup and after each phase.
/// <c>dotnet run --project tests/Ippo.MLNet.Benchmarks -c Release -- --lora-probe lora</c> (or <c>full</c>).
/// </summary>
internal static class LoraProbe
{
    public const string Argument = "--lora-probe";

    /// <summary>Probes <paramref name="mode"/> ("full" or "lora"); <paramref name="more"/>: micro-batch size, scoring chunk size (0 = whole).</summary>
    public static void Run(string mode, string[] more)
    {
        var clock = Stopwatch.StartNew();
        int? Arg(int i, int fallback) => more.Length > i ? int.Parse(more[i]) is var v && v > 0 ? v : null : fallback;
        using var setup = LoraSetup.Create(mode == "lora", LoraSetup.MiniBatches, Arg(0, LoraSetup.MicroBatchSize), Arg(1, LoraSetup.ScoringChunkSize));
        Print("setup", clock);
        for (int iteration = 1; iteration <= 2; iteration++)
        {
            var metrics = new Dictionary<string, double>();
            using var buffer = setup.Trainer.CollectRollout(setup.Prompts, metrics);
            Print($"iteration {iteration} rollout", clock);
            var selection = setup.Trainer.SelectEpisodes(buffer, metrics);
            setup.Trainer.Update(buffer, selection, metrics);
            Print($"iteration {iteration} update", clock);
        }
    }

    private static void Print(string phase, Stopwatch clock)
    {
        var status = File.ReadLines("/proc/self/status").ToList();
        string Field(string name) => status.First(l => l.StartsWith(name, StringComparison.Ordinal))[name.Length..].Trim();
        Console.WriteLine($"{phase}: VmHWM {Field("VmHWM:")}, VmRSS {Field("VmRSS:")}, {clock.Elapsed.TotalSeconds:F1} s");
    }
}
