using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using NUnit.Framework;
using static Ippo.MLNet.Tests.Reliability.ReliabilityFixtures;

namespace Ippo.MLNet.Tests.Reliability;

public class NonFiniteGuardTests
{
    [Test]
    public void ANonFiniteRolloutSkipsTheUpdateAndTheRunRecovers()
    {
        using var policy = TinyPolicy();
        using var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), Small);
        var first = trainer.Step(Prompts);
        var before = Weights(policy.Model);
        var critic = Poison(trainer.Critic!);

        var bad = trainer.Step(Prompts);

        Assert.That(bad[MetricNames.NonFiniteRollout], Is.EqualTo(1));
        Assert.That(bad[MetricNames.NonFiniteStreak], Is.EqualTo(1));
        Assert.That(Differences(before, Weights(policy.Model)), Is.Empty, "no update from a non-finite rollout");
        Restore(trainer.Critic!, critic);
        var next = trainer.Step(Prompts);
        Assert.That(new[] { first, next }.Select(m => m[MetricNames.NonFiniteRollout]), Has.All.EqualTo(0));
        Assert.That(next[MetricNames.NonFiniteStreak], Is.EqualTo(0));
        Assert.That(Differences(before, Weights(policy.Model)), Is.Not.Empty, "training goes on after the bad iteration");
    }

    [Test]
    public void ANonFiniteLossSkipsEveryMinibatchStepAndLeavesTheWeights()
    {
        using var policy = TinyPolicy();
        using var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), Small with { PpoEpochs = 2, MiniBatches = 2 });
        var metrics = new Dictionary<string, double>();
        using var buffer = trainer.CollectRollout(Prompts, metrics);
        var selection = trainer.SelectEpisodes(buffer, metrics);
        var before = Weights(policy.Model);
        var criticBefore = Poison(trainer.Critic!);
        var poisoned = Weights(trainer.Critic!);

        trainer.Update(buffer, selection, metrics);

        Assert.That(metrics[MetricNames.SkippedSteps], Is.EqualTo(4));
        Assert.That(metrics[MetricNames.UpdateSteps], Is.EqualTo(0));
        Assert.That(metrics[MetricNames.PolicyLoss], Is.NaN, "no step taken, no loss to report");
        Assert.That(Differences(before, Weights(policy.Model)), Is.Empty);
        Assert.That(Differences(poisoned, Weights(trainer.Critic!)), Is.Empty, "the optimizer did not step the critic either");
        Restore(trainer.Critic!, criticBefore);
    }

    [Test]
    public void TooManyNonFiniteIterationsInARowStopTheRunWithAClearError()
    {
        var folder = Directory.CreateTempSubdirectory("ippo-nan-").FullName;
        try
        {
            var checkpoint = Path.Combine(folder, "ckpt");
            using var policy = TinyPolicy();
            using var trainer = new PpoTrainer(policy, ArithmeticReward.Create(),
                Small with { Iterations = 10, MaxNonFiniteIterations = 2, CheckpointFolder = checkpoint, CheckpointEvery = 1 });
            var seen = new List<PpoIterationMetrics>();
            var error = Assert.Throws<NonFiniteTrainingException>(() => trainer.Train(Prompts, m =>
            {
                seen.Add(m);
                if (m.Iteration == 1) Poison(trainer.Critic!);
            }))!;

            Assert.That(error.Iteration, Is.EqualTo(3));
            Assert.That(error.Message, Does.Contain("iteration 3").And.Contain("2 iterations in a row").And.Contain("MaxNonFiniteIterations"));
            Assert.That(seen.Select(m => m[MetricNames.NonFiniteRollout]), Is.EqualTo(new[] { 0.0, 1.0 }));
            Assert.That(trainer.History.Select(m => m[MetricNames.NonFiniteStreak]), Is.EqualTo(new[] { 0.0, 1.0, 2.0 }));
            var onDisk = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(checkpoint, PpoTrainer.TrainerStateFile)));
            Assert.That(onDisk.RootElement.GetProperty("Iteration").GetInt32(), Is.EqualTo(1), "the checkpoint with the poisoned critic was refused");
            Assert.That(Directory.GetDirectories(folder), Has.Length.EqualTo(1));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public void ACheckpointWithNonFiniteWeightsIsRefusedAndNothingIsWritten()
    {
        var folder = Path.Combine(Path.GetTempPath(), "ippo-refused-" + Guid.NewGuid().ToString("N")[..8]);
        using var policy = TinyPolicy();
        using var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), Small);
        Poison(policy.Model);
        var error = Assert.Throws<InvalidOperationException>(() => trainer.SaveCheckpoint(folder))!;
        Assert.That(error.Message, Does.Contain("non-finite").And.Contain("policy tensor"));
        Assert.That(Directory.Exists(folder), Is.False);
    }
}
