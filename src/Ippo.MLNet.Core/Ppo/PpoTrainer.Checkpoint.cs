using System.Text.Json;
using Ippo.MLNet.Core.Checkpoints;
using Ippo.MLNet.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Ppo;

public sealed partial class PpoTrainer
{
    /// <summary>Scalar state of a trainer checkpoint.</summary>
    public const string TrainerStateFile = "trainer.json";

    private const string ReferenceFile = "reference.safetensors";
    private const string CriticFile = "critic.safetensors";
    private const string ValueHeadFile = "value_head.safetensors";
    private const string PolicyOptimizerFile = "policy_optimizer.bin";
    private const string CriticOptimizerFile = "critic_optimizer.bin";

    /// <summary>
    /// Writes everything an exact resume needs to <paramref name="folder"/>, atomically: the policy as a loadable policy
    /// folder (config.json, model.safetensors, tokenizer.json), the reference (when the run has one), the critic or value
    /// head (when the estimator needs one), the optimizer states, the filter's state and <see cref="TrainerStateFile"/> (iteration, seed, KL coefficient, history).
    /// Refuses, writing nothing, when a weight is not finite.
    /// </summary>
    public void SaveCheckpoint(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        RequireFinite(Policy, "policy");
        if (_critic is not null) RequireFinite(_critic, "critic");
        if (_sharedValueHead is not null) RequireFinite(_sharedValueHead, "value head");
        var state = new TrainerCheckpointState(TrainerCheckpointState.CurrentFormat, IterationsDone, _options.Seed, ModelConfigJson.Write(Policy.Config),
            _options.ValueHead, _kl.Value, _nonFiniteStreak, _history);
        // Host copies and any wrappers the writers create die with this scope; the trainer's tensors were made outside it.
        using var scope = NewDisposeScope();
        AtomicFolder.Write(folder, temp =>
        {
            PolicyCheckpoint.WriteModel(Policy, temp);
            _policy.Tokenizer.SaveTo(temp);
            if (_reference is not null) StateDictFile.Save(_reference, Path.Combine(temp, ReferenceFile));
            if (_critic is not null) StateDictFile.Save(_critic, Path.Combine(temp, CriticFile));
            if (_sharedValueHead is not null) StateDictFile.Save(_sharedValueHead, Path.Combine(temp, ValueHeadFile));
            _policyOptimizer.save_state_dict(Path.Combine(temp, PolicyOptimizerFile));
            _criticOptimizer?.save_state_dict(Path.Combine(temp, CriticOptimizerFile));
            (Filter as IResumableFilter)?.WriteState(temp);
            File.WriteAllText(Path.Combine(temp, TrainerStateFile), JsonSerializer.Serialize(state, CheckpointJson.Options));
        });
    }

    /// <summary>
    /// Continues from a checkpoint written by <see cref="SaveCheckpoint"/> for the same model config, value-head
    /// placement and seed: restores the weights, optimizer states, KL coefficient, filter state, history and iteration,
    /// so <see cref="Train"/> goes on exactly as the run that wrote it would have. Every weight file is read and checked
    /// before anything changes; errors name the file and what does not match.
    /// </summary>
    public void LoadCheckpoint(string folder)
    {
        _engineInSync = false; // the loaded weights reach the engine before the next rollout
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"Checkpoint folder '{folder}' does not exist.");
        var state = ReadState(folder);
        var difference = ModelConfigJson.Difference(state.Model, Policy.Config);
        if (difference.Length > 0)
            throw new InvalidDataException($"The checkpoint in '{folder}' is for another model: {difference}.");
        if (state.ValueHead != _options.ValueHead)
            throw new InvalidDataException($"The checkpoint in '{folder}' has its critic as {state.ValueHead}; PpoOptions.ValueHead is {_options.ValueHead}.");
        if (state.Seed != _options.Seed)
            throw new InvalidDataException($"The checkpoint in '{folder}' was written by a run with Seed {state.Seed}; PpoOptions.Seed is {_options.Seed}. Resume with the same seed.");

        using var policy = LoadPolicy(folder);
        using var reference = _reference is null ? null : LoadModule(_reference.CreateSibling(), folder, ReferenceFile);
        using var critic = _critic is null ? null : LoadModule(new CriticModel(_critic.Model.CreateAdaptedSibling()), folder, CriticFile);
        using var head = _sharedValueHead is null ? null : LoadModule(new ValueHead(Policy.Config), folder, ValueHeadFile);
        foreach (var file in _criticOptimizer is null ? new[] { PolicyOptimizerFile } : new[] { PolicyOptimizerFile, CriticOptimizerFile })
            if (!File.Exists(Path.Combine(folder, file))) throw new InvalidDataException($"The checkpoint in '{folder}' has no '{file}'.");
        (Filter as IResumableFilter)?.ReadState(folder, Policy);

        LoadOptimizer(_policyOptimizer, folder, PolicyOptimizerFile);
        if (_criticOptimizer is not null) LoadOptimizer(_criticOptimizer, folder, CriticOptimizerFile);
        Policy.load_state_dict(policy.state_dict());
        _reference?.load_state_dict(reference!.state_dict());
        _critic?.load_state_dict(critic!.state_dict());
        _sharedValueHead?.load_state_dict(head!.state_dict());
        _kl.Restore(state.KlCoefficient);
        _nonFiniteStreak = state.NonFiniteStreak;
        _history.Clear();
        _history.AddRange(state.History);
        IterationsDone = state.Iteration;
    }

    private static TrainerCheckpointState ReadState(string folder)
    {
        var path = Path.Combine(folder, TrainerStateFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"'{folder}' is not a trainer checkpoint: '{path}' is missing.", path);
        TrainerCheckpointState? state;
        try
        {
            state = JsonSerializer.Deserialize<TrainerCheckpointState>(File.ReadAllText(path), CheckpointJson.Options);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not a valid trainer state: {e.Message}", e);
        }
        if (state is null || state.Model is null || state.History is null)
            throw new InvalidDataException($"'{path}' is not a valid trainer state: it is empty or misses fields.");
        if (state.FormatVersion != TrainerCheckpointState.CurrentFormat)
            throw new InvalidDataException($"'{path}' has format version {state.FormatVersion}; this version reads {TrainerCheckpointState.CurrentFormat}.");
        return state;
    }

    // Reads a weight file into a fresh module of the live one's dtype (a file of another dtype is an error) before anything changes.
    private T LoadModule<T>(T module, string folder, string file) where T : nn.Module
    {
        try
        {
            module.to(ModelDevice.DtypeOf(Policy));
            StateDictFile.Load(module, Path.Combine(folder, file));
            module.to(_device);
            return module;
        }
        catch (FileNotFoundException e)
        {
            module.Dispose();
            throw new InvalidDataException($"The checkpoint in '{folder}' has no '{file}'.", e);
        }
        catch
        {
            module.Dispose();
            throw;
        }
    }

    // The policy's weights into a fresh sibling. With adapters, model.safetensors holds the frozen base and PEFT's files
    // the adapters (what PolicyCheckpoint.WriteModel writes); a checkpoint without adapter files holds both in model.safetensors.
    private CausalLanguageModel LoadPolicy(string folder)
    {
        if (Policy.Lora is null || !Models.Lora.PeftAdapterFiles.Exist(folder))
            return LoadModule(Policy.CreateAdaptedSibling(), folder, PolicyCheckpoint.WeightsFile);
        var sibling = LoadModule(Policy.CreateSibling(), folder, PolicyCheckpoint.WeightsFile);
        try
        {
            Models.Lora.PeftAdapterFiles.Load(sibling, folder);
            return sibling;
        }
        catch
        {
            sibling.Dispose();
            throw;
        }
    }

    private static void LoadOptimizer(TorchSharp.Modules.OptimizerHelper optimizer, string folder, string file)
    {
        var path = Path.Combine(folder, file);
        try
        {
            optimizer.load_state_dict(path);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"'{path}' is not a readable optimizer state for this model: {e.Message}", e);
        }
    }

    private static void RequireFinite(nn.Module module, string what)
    {
        using var scope = NewDisposeScope();
        foreach (var (name, tensor) in module.state_dict())
            if (tensor.is_floating_point() && !tensor.isfinite().all().item<bool>())
                throw new InvalidOperationException($"Refusing to write a checkpoint: {what} tensor '{name}' holds non-finite values.");
    }
}
