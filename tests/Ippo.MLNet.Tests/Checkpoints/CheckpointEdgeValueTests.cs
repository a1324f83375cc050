using System.Text.Json;
using Ippo.MLNet.Core.Checkpoints;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using NUnit.Framework;
using static Ippo.MLNet.Tests.Reliability.ReliabilityFixtures;

namespace Ippo.MLNet.Tests.Checkpoints;

/// <summary>Edge values through <see cref="PpoTrainer.SaveCheckpoint"/> and <see cref="PpoTrainer.LoadCheckpoint"/>, compared bit for bit.</summary>
public class CheckpointEdgeValueTests
{
    private static readonly double KlCoefficient = Math.ScaleB(1, -25);
    private string _dir = "";

    [SetUp]
    public void CreateFolder() => _dir = Directory.CreateTempSubdirectory("ippo-edge-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_dir, recursive: true);

    /// <summary>Keeps every episode and logs the edge values as its own metrics; its state is every value it logged.</summary>
    private sealed class EdgeValueFilter : IEpisodeFilter, IResumableFilter
    {
        public const string StateFile = "edge-filter.json";

        public sealed record State(List<double> Logged, List<float> Floats);

        public State Current { get; private set; } = new([], []);

        public string? StopReason => null;

        public EpisodeSelection Select(RolloutBuffer buffer, PpoTrainer trainer)
        {
            var metrics = EdgeValues.Doubles.ToDictionary(e => "edge/" + e.Name, e => e.Value);
            Current.Logged.AddRange(EdgeValues.Doubles.Select(e => e.Value));
            Current.Floats.AddRange(EdgeValues.Singles.Select(e => e.Value));
            return EpisodeSelection.All(buffer.Count) with { Metrics = metrics };
        }

        public void WriteState(string folder) =>
            File.WriteAllText(Path.Combine(folder, StateFile), JsonSerializer.Serialize(Current, CheckpointJson.Options));

        public void ReadState(string folder, CausalLanguageModel policy) =>
            Current = JsonSerializer.Deserialize<State>(File.ReadAllText(Path.Combine(folder, StateFile)), CheckpointJson.Options)!;
    }

    private static PpoOptions Options => Small with { KlCoefficient = KlCoefficient, Iterations = 3 };

    private static List<string> BitDifferences(IReadOnlyList<PpoIterationMetrics> expected, IReadOnlyList<PpoIterationMetrics> actual, bool withTimes = true)
    {
        var differences = new List<string>();
        if (expected.Count != actual.Count) return [$"{expected.Count} iterations against {actual.Count}"];
        for (int i = 0; i < expected.Count; i++)
        {
            if (expected[i].Iteration != actual[i].Iteration) differences.Add($"row {i}: iteration {expected[i].Iteration} against {actual[i].Iteration}");
            var keys = expected[i].Values.Keys.Where(k => withTimes || !k.StartsWith("time/", StringComparison.Ordinal)).ToList();
            if (!withTimes) keys.Remove(MetricNames.CheckpointWritten);
            foreach (var key in keys)
            {
                if (!actual[i].Values.TryGetValue(key, out var b)) differences.Add($"iteration {i + 1}: {key} missing");
                else if (!EdgeValues.SameBits(expected[i].Values[key], b))
                    differences.Add($"iteration {i + 1}: {key} {EdgeValues.Bits(expected[i].Values[key])} against {EdgeValues.Bits(b)}");
            }
        }
        return differences;
    }

    [Test]
    public void HistoryKlCoefficientAndFilterStateComeBackBitForBitAndRewriteToTheSameJson()
    {
        var first = Path.Combine(_dir, "first");
        var second = Path.Combine(_dir, "second");
        using var policy = TinyPolicy();
        var filter = new EdgeValueFilter();
        using var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), Options, filter);
        trainer.Step(Prompts);
        trainer.Step(Prompts);
        trainer.SaveCheckpoint(first);

        using var fresh = ArithmeticDefaults.NewPolicy(policy.Model.Config); // as a new process would build it; the checkpoint overwrites its weights
        var resumedFilter = new EdgeValueFilter();
        using var resumed = new PpoTrainer(fresh, ArithmeticReward.Create(), Options, resumedFilter);
        resumed.LoadCheckpoint(first);

        Assert.That(BitDifferences(trainer.History, resumed.History), Is.Empty, "history after the round trip");
        Assert.That(resumed.History[1].Values.Keys, Does.Contain("edge/2^-25"), "the filter's metrics are in the history");
        Assert.That(resumedFilter.Current.Logged.Select(EdgeValues.Bits), Is.EqualTo(filter.Current.Logged.Select(EdgeValues.Bits)), "filter state (doubles)");
        Assert.That(resumedFilter.Current.Floats.Select(BitConverter.SingleToInt32Bits), Is.EqualTo(filter.Current.Floats.Select(BitConverter.SingleToInt32Bits)), "filter state (floats)");

        // Writing the restored state again gives the same bytes in every JSON file of the checkpoint.
        resumed.SaveCheckpoint(second);
        var jsonFiles = Directory.GetFiles(first, "*.json").Select(Path.GetFileName).ToList();
        Assert.That(jsonFiles, Is.SupersetOf(new[] { PpoTrainer.TrainerStateFile, EdgeValueFilter.StateFile }));
        foreach (var file in jsonFiles)
            Assert.That(File.ReadAllText(Path.Combine(second, file!)), Is.EqualTo(File.ReadAllText(Path.Combine(first, file!))), file);

        // The KL coefficient came back exactly: the next iteration uses (and logs) 2^-25 in both trainers, and so agrees bit for bit.
        trainer.Step(Prompts);
        resumed.Step(Prompts);
        Assert.That(EdgeValues.Bits(resumed.History[^1][MetricNames.KlCoefficient]), Is.EqualTo(EdgeValues.Bits(KlCoefficient)));
        Assert.That(BitDifferences(trainer.History, resumed.History, withTimes: false), Is.Empty, "history after one more iteration");
    }
}
