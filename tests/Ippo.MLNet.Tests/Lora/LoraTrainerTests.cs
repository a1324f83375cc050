using Ippo.MLNet.Core.Generation;
using Ippo.MLNet.Core.Influence;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Models.Lora;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using Ippo.MLNet.Tests.Models.Pretrained;
using NUnit.Framework;
using TorchSharp;
using static Ippo.MLNet.Tests.Reliability.ReliabilityFixtures;
using static TorchSharp.torch;

namespace Ippo.MLNet.Tests.Lora;

/// <summary>PPO with LoRA: what the optimizers hold, the reference taken from the frozen base, the critic's shared base, exact resume.</summary>
public class LoraTrainerTests
{
    private static readonly LoraOptions Adapters = new() { Rank = 4, Alpha = 8 };

    private static Policy AdaptedPolicy()
    {
        var policy = TinyPolicy();
        LoraAdapters.Apply(policy.Model, Adapters);
        return policy;
    }

    [TestCase(ValueHeadPlacement.SharedTrunk)]
    [TestCase(ValueHeadPlacement.SeparateCritic)]
    public void TheOptimizersHoldOnlyAdaptersAndTheValueHead(ValueHeadPlacement head)
    {
        using var policy = AdaptedPolicy();
        using var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), Small with { ValueHead = head });
        var adapters = LoraAdapters.AdapterParameters(policy.Model).Select(p => p.Parameter.Handle).ToHashSet();
        var held = trainer.OptimizedParameters;
        var expected = adapters.Count + (head == ValueHeadPlacement.SharedTrunk ? 2 : 0);
        Assert.That(held, Has.Count.EqualTo(expected));
        Assert.That(held.Count(p => adapters.Contains(p.Handle)), Is.EqualTo(adapters.Count));
        if (head == ValueHeadPlacement.SeparateCritic)
        {
            var trainable = trainer.Critic!.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).ToList();
            Assert.That(trainable, Has.Count.EqualTo(adapters.Count + 2));
            Assert.That(trainable.Where(n => !LoraAdapters.IsAdapterParameter(n)), Is.EquivalentTo(new[] { "value_head.summary.weight", "value_head.summary.bias" }));
        }
    }

    [Test]
    public void TheTrainerHoldsOneCopyOfTheBaseWeightsWithAReferenceAndASeparateCritic()
    {
        using var policy = AdaptedPolicy();
        using var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), Small with { ValueHead = ValueHeadPlacement.SeparateCritic, KlCoefficient = 0.05 });
        Assert.That(trainer.Reference, Is.Null, "no reference copy");
        Assert.That(trainer.ReferenceIsBaseModel, Is.True);
        int baseTensors = policy.Model.parameters().Count(p => !p.requires_grad);
        int adapterTensors = policy.Model.parameters().Count(p => p.requires_grad);
        // Policy base once, policy adapters, critic adapters, critic value head (weight, bias).
        Assert.That(LoraFixtures.DistinctStorages(policy.Model, trainer.Critic!), Is.EqualTo(baseTensors + 2 * adapterTensors + 2));
    }

    [Test]
    public void ReferenceLogProbsAreTheBaseModelsAfterTheAdaptersMoved()
    {
        using var scope = NewDisposeScope();
        using var policy = TinyPolicy();
        using var baseModel = ModelDevice.CopyOf(policy.Model);
        LoraAdapters.Apply(policy.Model, Adapters);
        LoraFixtures.PerturbAdapters(policy.Model, std: 0.5);
        using var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), Small with { KlCoefficient = 0.05 });
        using var buffer = trainer.CollectRollout(Prompts, new Dictionary<string, double>());
        baseModel.eval();
        Tensor expected;
        using (no_grad())
            (expected, _) = SequenceScoring.LogProbsAndEntropy(baseModel, buffer.PromptTokens, buffer.PromptMask, buffer.ResponseTokens, buffer.ResponseMask, Small.Temperature);
        Assert.That(LoraFixtures.Same(buffer.RefLogProbs!, expected), Is.True);
        var moved = ((buffer.OldLogProbs - expected) * buffer.ResponseMask).abs().max().item<float>();
        Assert.That(moved, Is.GreaterThan(1e-3f), "the adapted policy's own log-probs differ from the reference");
    }

    [Test]
    public void TrainingMovesTheAdaptersAndNoBaseWeight()
    {
        using var policy = AdaptedPolicy();
        using var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), Small with { ValueHead = ValueHeadPlacement.SharedTrunk });
        var before = Weights(policy.Model);
        trainer.Step(Prompts);
        trainer.Step(Prompts);
        var changed = Differences(before, Weights(policy.Model));
        Assert.That(changed, Is.Not.Empty);
        Assert.That(changed, Has.All.Matches<string>(LoraAdapters.IsAdapterParameter), "only adapter tensors moved");
        Assert.That(changed.Any(n => n.EndsWith("lora_B.weight")), Is.True);
    }

    [Test]
    public void ALoraTrainerCheckpointOpensWithPolicyLoadWithItsAdaptersAndAnOlderOneStillResumes()
    {
        var dir = Directory.CreateTempSubdirectory("ippo-lora-checkpoint-").FullName;
        try
        {
            using var scope = NewDisposeScope();
            using var policy = AdaptedPolicy();
            using var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), Small with { Iterations = 1 });
            trainer.Train(Prompts);
            var folder = Path.Combine(dir, "checkpoint");
            trainer.SaveCheckpoint(folder);

            Assert.That(SafetensorsHeader.Read(Path.Combine(folder, "model.safetensors")).Keys, Has.None.Contains("lora"), "the frozen base");
            using (var loaded = Policy.Load(folder))
            {
                Assert.That(loaded.Model.Lora!.ModuleNames, Is.EqualTo(policy.Model.Lora!.ModuleNames));
                Assert.That(LoraFixtures.Same(LoraFixtures.Logits(loaded.Model), LoraFixtures.Logits(policy.Model)), Is.True, "the trained adapters");
            }

            // A checkpoint written before the adapters had their own files: base and adapters together in model.safetensors.
            Core.Checkpoints.StateDictFile.Save(policy.Model, Path.Combine(folder, "model.safetensors"));
            File.Delete(Path.Combine(folder, PeftAdapterFiles.ConfigFile));
            File.Delete(Path.Combine(folder, PeftAdapterFiles.WeightsFile));
            using var fresh = AdaptedPolicy();
            LoraFixtures.PerturbAdapters(fresh.Model, seed: 3);
            using var resumed = new PpoTrainer(fresh, ArithmeticReward.Create(), Small with { Iterations = 1 });
            resumed.LoadCheckpoint(folder);
            Assert.That(Differences(Weights(policy.Model), Weights(fresh.Model)), Is.Empty);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestCase(true, ValueHeadPlacement.SeparateCritic, 2)]
    [TestCase(false, ValueHeadPlacement.SharedTrunk, 3)]
    public void AnInterruptedAndResumedLoraRunEndsWithExactlyTheUninterruptedWeights(bool influence, ValueHeadPlacement head, int stopAfter)
    {
        var dir = Directory.CreateTempSubdirectory("ippo-lora-resume-").FullName;
        try
        {
            var options = Small with { Iterations = 4, ValueHead = head, KlCoefficient = 0.05 };
            Dictionary<string, Tensor> straight, resumed;
            List<Dictionary<string, double>> straightHistory, resumedHistory;
            using (var policy = AdaptedPolicy())
            using (var filter = influence ? Filter(policy) : null)
            using (var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), options, filter))
            {
                trainer.Train(Prompts);
                straight = Weights(policy.Model);
                straightHistory = trainer.History.Select(WithoutTimes).ToList();
            }
            var folder = Path.Combine(dir, "checkpoint");
            using (var policy = AdaptedPolicy())
            using (var filter = influence ? Filter(policy) : null)
            using (var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), options with { CheckpointFolder = folder, CheckpointEvery = 100 }, filter))
            using (var cancel = new CancellationTokenSource())
                trainer.Train(Prompts, m => { if (m.Iteration == stopAfter) cancel.Cancel(); }, cancel.Token);
            Assert.That(File.Exists(Path.Combine(folder, "reference.safetensors")), Is.False, "the reference is the base: no copy on disk");
            // A fresh process: other initial base weights and adapters (another seed), then the checkpoint.
            using (var fresh = ArithmeticDefaults.NewPolicy((GptConfig)TinyPolicy().Model.Config with { InitSeed = 99 }))
            {
                LoraAdapters.Apply(fresh.Model, Adapters with { Seed = 42 });
                using var filter = influence ? Filter(fresh) : null;
                using var trainer = new PpoTrainer(fresh, ArithmeticReward.Create(), options, filter);
                trainer.LoadCheckpoint(folder);
                trainer.Train(Prompts);
                resumed = Weights(fresh.Model);
                resumedHistory = trainer.History.Select(WithoutTimes).ToList();
            }
            Assert.That(Differences(straight, resumed), Is.Empty, "policy tensors that differ");
            for (int i = 0; i < options.Iterations; i++)
            {
                straightHistory[i].Remove(MetricNames.CheckpointWritten);
                resumedHistory[i].Remove(MetricNames.CheckpointWritten);
                Assert.That(resumedHistory[i], Is.EqualTo(straightHistory[i]), $"metrics of iteration {i + 1}");
            }
            Assert.That(straightHistory[^1][MetricNames.Kl], Is.GreaterThan(0), "the adapters moved the policy away from the base");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
