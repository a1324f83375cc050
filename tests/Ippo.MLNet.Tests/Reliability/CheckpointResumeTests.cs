using Ippo.MLNet.Tests.RlMoves;
using Ippo.MLNet.Core.Influence;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using NUnit.Framework;
using static Ippo.MLNet.Tests.Reliability.ReliabilityFixtures;

namespace Ippo.MLNet.Tests.Reliability;

public class CheckpointResumeTests
{
    private string _dir = "";

    [SetUp]
    public void CreateFolder() => _dir = Directory.CreateTempSubdirectory("ippo-resume-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_dir, recursive: true);

    private sealed record Run(Dictionary<string, TorchSharp.torch.Tensor> Policy, Dictionary<string, TorchSharp.torch.Tensor> Critic, List<Dictionary<string, double>> History);

    private static (PpoTrainer Trainer, InfluenceFilter? Filter) Trainer(Policy policy, PpoOptions options, bool influence)
    {
        var filter = influence ? Filter(policy, new InfluenceFilterOptions { MinKeptFraction = 0, RecomputeValidationEvery = 2 }) : null;
        return (new PpoTrainer(policy, ArithmeticReward.Create(), options, filter), filter);
    }

    private Run Uninterrupted(PpoOptions options, bool influence)
    {
        using var policy = TinyPolicy();
        var (trainer, filter) = Trainer(policy, options, influence);
        using (trainer)
        using (filter)
        {
            trainer.Train(Prompts);
            return new Run(Weights(policy.Model), trainer.Critic is null ? new() : Weights(trainer.Critic), trainer.History.Select(WithoutTimes).ToList());
        }
    }

    private Run Interrupted(PpoOptions options, bool influence, int stopAfter)
    {
        var folder = Path.Combine(_dir, "checkpoint");
        using (var policy = TinyPolicy())
        {
            var (trainer, filter) = Trainer(policy, options with { CheckpointFolder = folder, CheckpointEvery = 100 }, influence);
            using var cancel = new CancellationTokenSource();
            using (trainer)
            using (filter)
            {
                var result = trainer.Train(Prompts, m => { if (m.Iteration == stopAfter) cancel.Cancel(); }, cancel.Token);
                Assert.That(result.StopReason, Is.EqualTo($"Cancelled after iteration {stopAfter}."));
            }
        }
        // A new process would start here: a fresh policy object (its own initial weights), a new trainer, the checkpoint.
        using var fresh = ArithmeticDefaults.NewPolicy((GptConfig)TinyPolicy().Model.Config with { InitSeed = 99 });
        var (resumed, resumedFilter) = Trainer(fresh, options, influence);
        using (resumed)
        using (resumedFilter)
        {
            resumed.LoadCheckpoint(folder);
            Assert.That(resumed.IterationsDone, Is.EqualTo(stopAfter));
            resumed.Train(Prompts);
            return new Run(Weights(fresh.Model), resumed.Critic is null ? new() : Weights(resumed.Critic), resumed.History.Select(WithoutTimes).ToList());
        }
    }

    [TestCase(true, ValueHeadPlacement.SeparateCritic, 3)]
    [TestCase(false, ValueHeadPlacement.SeparateCritic, 2)]
    [TestCase(false, ValueHeadPlacement.SharedTrunk, 4)]
    public void AnInterruptedAndResumedRunEndsWithExactlyTheUninterruptedWeights(bool influence, ValueHeadPlacement head, int stopAfter)
    {
        var options = Small with { ValueHead = head, AdaptiveKlTarget = 0.05, AdaptiveKlHorizon = 100 };
        var straight = Uninterrupted(options, influence);
        var resumed = Interrupted(options, influence, stopAfter);

        Assert.That(Differences(straight.Policy, resumed.Policy), Is.Empty, "policy tensors that differ");
        Assert.That(Differences(straight.Critic, resumed.Critic), Is.Empty, "critic tensors that differ");
        Assert.That(resumed.History, Has.Count.EqualTo(options.Iterations));
        for (int i = 0; i < options.Iterations; i++)
        {
            var a = straight.History[i];
            var b = resumed.History[i];
            b.Remove(MetricNames.CheckpointWritten);
            a.Remove(MetricNames.CheckpointWritten);
            Assert.That(b, Is.EqualTo(a), $"metrics of iteration {i + 1}");
        }
        // The adaptive KL coefficient moved, so restoring it mattered.
        Assert.That(straight.History[^1][MetricNames.KlCoefficient], Is.Not.EqualTo(straight.History[0][MetricNames.KlCoefficient]));
    }

    [TestCase(false, 0.0, 2)]
    [TestCase(true, 0.05, 3)]
    public void AnInterruptedGrpoRunResumesToExactlyTheUninterruptedWeights(bool influence, double beta, int stopAfter)
    {
        var options = OldPpoDefaults.Grpo with
        {
            Iterations = Small.Iterations, EpisodesPerIteration = 16, SamplesPerPrompt = 4, MaxNewTokens = Small.MaxNewTokens,
            LearningRate = Small.LearningRate, Seed = Small.Seed, KlCoefficient = beta,
        };
        var straight = Uninterrupted(options, influence);
        var resumed = Interrupted(options, influence, stopAfter);

        Assert.That(Differences(straight.Policy, resumed.Policy), Is.Empty, "policy tensors that differ");
        Assert.That(straight.Critic, Is.Empty, "no critic");
        for (int i = 0; i < options.Iterations; i++)
        {
            var a = straight.History[i];
            var b = resumed.History[i];
            b.Remove(MetricNames.CheckpointWritten);
            a.Remove(MetricNames.CheckpointWritten);
            Assert.That(b, Is.EqualTo(a), $"metrics of iteration {i + 1}");
        }
        var files = Directory.GetFiles(Path.Combine(_dir, "checkpoint")).Select(Path.GetFileName).ToList();
        Assert.That(files, Has.None.StartsWith("critic").And.None.StartsWith("value_head"), "a critic-free checkpoint holds no critic");
        Assert.That(files.Contains("reference.safetensors"), Is.EqualTo(beta > 0), "a reference only when the KL loss needs one");
    }

    [Test]
    public void CheckpointsAreWrittenEveryNIterationsAndAtTheEnd()
    {
        var folder = Path.Combine(_dir, "every2");
        using var policy = TinyPolicy();
        using var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), Small with { Iterations = 5, CheckpointFolder = folder, CheckpointEvery = 2 });
        var iterationsOnDisk = new List<int>();
        var result = trainer.Train(Prompts, m =>
        {
            if (m[MetricNames.CheckpointWritten] > 0) iterationsOnDisk.Add(Saved(folder));
        });
        Assert.That(result.History.Select(m => m[MetricNames.CheckpointWritten]), Is.EqualTo(new[] { 0.0, 1, 0, 1, 0 }));
        Assert.That(iterationsOnDisk, Is.EqualTo(new[] { 2, 4 }));
        Assert.That(Saved(folder), Is.EqualTo(5), "the end of the run writes a last checkpoint");
        Assert.That(Directory.GetDirectories(_dir), Is.EqualTo(new[] { folder }), "no temporary folder left behind");
        using var loaded = Policy.Load(folder);
        Assert.That(Differences(Weights(loaded.Model), Weights(policy.Model)), Is.Empty, "the checkpoint is also a loadable policy folder");
    }

    private static int Saved(string folder) =>
        System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, PpoTrainer.TrainerStateFile))).RootElement.GetProperty("Iteration").GetInt32();

    private sealed class FailingStateFilter : IEpisodeFilter, IResumableFilter
    {
        public bool Fail { get; set; }
        public EpisodeSelection Select(RolloutBuffer buffer, PpoTrainer trainer) => EpisodeSelection.All(buffer.Count);
        public string? StopReason => null;
        public void WriteState(string folder)
        {
            File.WriteAllText(Path.Combine(folder, "half-written.bin"), "partial");
            if (Fail) throw new IOException("disk full");
        }

        public void ReadState(string folder, CausalLanguageModel policy) { }
    }

    [Test]
    public void ACrashWhileWritingLeavesThePreviousCheckpointIntact()
    {
        var folder = Path.Combine(_dir, "ckpt");
        var filter = new FailingStateFilter();
        using var policy = TinyPolicy();
        using var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), Small, filter);
        trainer.Step(Prompts);
        trainer.SaveCheckpoint(folder);
        var before = Snapshot(folder);
        trainer.Step(Prompts);
        filter.Fail = true;

        var error = Assert.Throws<IOException>(() => trainer.SaveCheckpoint(folder))!;

        Assert.That(error.Message, Is.EqualTo("disk full"));
        Assert.That(Snapshot(folder), Is.EqualTo(before));
        Assert.That(Saved(folder), Is.EqualTo(1));
        Assert.That(Directory.GetDirectories(_dir), Is.EqualTo(new[] { folder }), "the half-written temporary folder is removed");
    }

    [Test]
    public void CancellationStopsBetweenIterationsAndWritesACheckpoint()
    {
        var folder = Path.Combine(_dir, "cancelled");
        using var policy = TinyPolicy();
        using var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), Small with { CheckpointFolder = folder, CheckpointEvery = 100 });
        using var cancel = new CancellationTokenSource();
        var result = trainer.Train(Prompts, m => { if (m.Iteration == 2) cancel.Cancel(); }, cancel.Token);
        Assert.That(result.History, Has.Count.EqualTo(2));
        Assert.That(result.StopReason, Is.EqualTo("Cancelled after iteration 2."));
        Assert.That(Saved(folder), Is.EqualTo(2));
        using var loaded = Policy.Load(folder);
        Assert.That(Differences(Weights(loaded.Model), Weights(policy.Model)), Is.Empty);
    }

    [Test]
    public void WritingAndReadingCheckpointsLeavesNoLiveTensorsBehind()
    {
        var folder = Path.Combine(_dir, "flat");
        using var policy = TinyPolicy();
        using var filter = Filter(policy);
        using var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), Small, filter);
        trainer.Step(Prompts);
        trainer.SaveCheckpoint(folder);
        trainer.LoadCheckpoint(folder);
        long before = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 3; i++)
        {
            trainer.SaveCheckpoint(folder);
            trainer.LoadCheckpoint(folder);
        }
        Assert.That(TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount, Is.EqualTo(before));
    }
}
