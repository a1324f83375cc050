using Ippo.MLNet.Core.Checkpoints;
using Ippo.MLNet.Core.Tokenization;
using TorchSharp;

namespace Ippo.MLNet.Core.Models;

/// <summary>
/// A language model and the tokenizer it reads: what gets trained, saved and loaded as one folder
/// (config.json, model.safetensors, tokenizer.json).
/// </summary>
public sealed partial class Policy : IDisposable
{
    /// <summary>
    /// Pairs <paramref name="model"/> (any architecture) with <paramref name="tokenizer"/>. The tokenizer may have fewer
    /// ids than the model's embedding has rows (real checkpoints pad their vocabulary; generation never draws the extra
    /// ids, see <see cref="DrawableVocabSize"/>), never more.
    /// </summary>
    public Policy(CausalLanguageModel model, PolicyTokenizer tokenizer)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        Tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        if (tokenizer.VocabSize > model.Config.VocabSize)
            throw new ArgumentException(
                $"The tokenizer has {tokenizer.VocabSize} tokens but the model's vocabulary size is {model.Config.VocabSize}; " +
                "the tokenizer may not have more ids than the model has embedding rows.",
                nameof(tokenizer));
    }

    /// <summary>The language model.</summary>
    public CausalLanguageModel Model { get; }

    /// <summary>The tokenizer.</summary>
    public PolicyTokenizer Tokenizer { get; }

    /// <summary>
    /// The ids generation may draw: the tokenizer's size, which may be below the model's vocabulary size (the rows
    /// above it decode to nothing).
    /// </summary>
    public int DrawableVocabSize => Tokenizer.VocabSize;

    /// <summary>
    /// Token ids the model sees for a prompt: BOS when the tokenizer puts it first (<see cref="PolicyTokenizer.PrependBos"/>:
    /// Llama yes, Qwen and GPT-2 no), then the prompt's tokens.
    /// </summary>
    public int[] EncodePrompt(string prompt)
    {
        var tokens = Tokenizer.Encode(prompt);
        return Tokenizer.PrependBos ? new[] { Tokenizer.BosId }.Concat(tokens).ToArray() : tokens;
    }

    /// <summary>Token ids of a completion as trained: its tokens, then <see cref="PolicyTokenizer.EosId"/>.</summary>
    public int[] EncodeCompletion(string completion) => Tokenizer.Encode(completion).Append(Tokenizer.EosId).ToArray();

    /// <summary>
    /// Writes the policy to <paramref name="folder"/> atomically. The built-in GPT keeps this library's folder layout;
    /// every other architecture writes <see cref="SavePretrained"/>'s Hugging Face folder, so one folder is both a policy
    /// folder and a model Hugging Face tools open. A model with LoRA adapters is written as its frozen base model (the
    /// same files as without adapters) plus the adapters in PEFT's format beside it (<see cref="Lora.PeftAdapterFiles"/>:
    /// adapter_config.json, adapter_model.safetensors), which <see cref="Load"/> attaches again: the loaded policy has
    /// the same adapters and the same logits. <see cref="SavePretrained"/> writes an adapted model merged instead.
    /// </summary>
    public void Save(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        if (Model.Lora is { } lora)
        {
            using var baseModel = lora.BaseCopy(Model);
            new Policy(baseModel, Tokenizer).Write(folder, temp => Lora.PeftAdapterFiles.WriteFiles(Model, temp, baseModelNameOrPath: null));
            return;
        }
        Write(folder, extra: null);
    }

    // The plain policy folder of this (adapter-free) model, atomically; `extra` writes more files into it first.
    private void Write(string folder, Action<string>? extra)
    {
        if (Model.Config.ModelType == GptArchitecture.ModelType)
            PolicyCheckpoint.Save(Model, folder, temp =>
            {
                Tokenizer.SaveTo(temp);
                extra?.Invoke(temp);
            });
        else WritePretrained(folder, extra);
    }

    /// <summary>
    /// Loads a folder written by <see cref="Save"/> or <see cref="SavePretrained"/>, or any Hugging Face folder
    /// (<see cref="FromPretrained"/>); its config.json's model_type picks the architecture (none: the built-in GPT).
    /// When the folder also holds PEFT adapter files (adapter_config.json and adapter_model.safetensors, as
    /// <see cref="Save"/> writes for a model with adapters, or as PEFT saves them for this base model), the adapters are
    /// attached (<see cref="Lora.PeftAdapterFiles.Load"/>). Loads float32 weights on the CPU.
    /// </summary>
    public static Policy Load(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var policy = LoadBase(folder);
        if (!Lora.PeftAdapterFiles.Exist(folder)) return policy;
        try
        {
            Lora.PeftAdapterFiles.Load(policy.Model, folder);
            return policy;
        }
        catch
        {
            policy.Dispose();
            throw;
        }
    }

    private static Policy LoadBase(string folder)
    {
        var configPath = Path.Combine(folder, PolicyCheckpoint.ConfigFile);
        if (File.Exists(configPath) && ModelTypeOf(configPath) != GptArchitecture.ModelType) return FromPretrained(folder);
        var tokenizer = PolicyTokenizer.LoadFrom(folder);
        var model = PolicyCheckpoint.Load(folder);
        return Pair(model, tokenizer);
    }

    /// <summary>A deep copy of the weights (same tokenizer).</summary>
    public Policy Clone()
    {
        var copy = ModelDevice.CopyOf(Model);
        return new Policy(copy, Tokenizer);
    }

    /// <inheritdoc />
    public void Dispose() => Model.Dispose();
}
