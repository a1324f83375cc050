using Ippo.MLNet.Tests.RlMoves;
using Ippo.MLNet.Core.Influence;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using Ippo.MLNet.Core.Training;
using Ippo.MLNet.Tests.Ppo;
using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Tests.Reliability;

/// <summary>Tiny policies, prompts and helpers shared by the checkpoint, guard, memory and determinism tests.</summary>
internal static class ReliabilityFixtures
{
    public static readonly PpoOptions Small = OldPpoDefaults.Ppo with { Iterations = 6, EpisodesPerIteration = 16, MaxNewTokens = 12, LearningRate = 1e-3, Seed = 5 };

    public static Policy TinyPolicy() =>
        ArithmeticDefaults.NewPolicy(ArithmeticDefaults.ModelConfig(initSeed: 4) with { Width = 32, Layers = 1, ContextLength = 32 });

    public static IReadOnlyList<PromptExample> Prompts { get; } = ArithmeticDefaults.HeldOutPrompts(PpoEndToEndTests.EasyTask, 32, seed: 1);

    public static InfluenceFilter Filter(Policy policy, InfluenceFilterOptions? options = null) =>
        new(ArithmeticDefaults.Tokenize(policy, ArithmeticDefaults.GoldTraces(PpoEndToEndTests.EasyTask, 16, seed: 2)),
            options ?? new InfluenceFilterOptions { MinKeptFraction = 0 }, new ArithmeticJudge());

    /// <summary>Detached copies of a module's state, by name.</summary>
    public static Dictionary<string, Tensor> Weights(nn.Module module) =>
        module.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone().DetachFromDisposeScope());

    /// <summary>Names of the tensors that differ in any element (empty when the two states are bit-identical; NaN equals NaN).</summary>
    public static List<string> Differences(Dictionary<string, Tensor> a, Dictionary<string, Tensor> b) =>
        a.Keys.Where(k => !(a[k].equal(b[k]) | (a[k].isnan() & b[k].isnan())).all().item<bool>()).ToList();

    /// <summary>Metrics without the wall-clock timings, which differ between any two runs.</summary>
    public static Dictionary<string, double> WithoutTimes(PpoIterationMetrics m) =>
        m.Values.Where(kv => !kv.Key.StartsWith("time/", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value);

    /// <summary>Fills every floating tensor of <paramref name="module"/> with NaN, returning what it held.</summary>
    public static Dictionary<string, Tensor> Poison(nn.Module module)
    {
        var saved = Weights(module);
        using var noGrad = no_grad();
        foreach (var (_, t) in module.state_dict()) if (t.is_floating_point()) t.fill_(double.NaN);
        return saved;
    }

    /// <summary>Puts back the state returned by <see cref="Poison"/>.</summary>
    public static void Restore(nn.Module module, Dictionary<string, Tensor> saved)
    {
        using var noGrad = no_grad();
        foreach (var (name, t) in module.state_dict()) t.copy_(saved[name]);
    }

    /// <summary>Every file under a folder with its bytes' hash, to show a failed call left the disk as it was.</summary>
    public static Dictionary<string, string> Snapshot(string folder) =>
        Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                .ToDictionary(f => Path.GetRelativePath(folder, f), f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))))
            : new Dictionary<string, string>();
}
