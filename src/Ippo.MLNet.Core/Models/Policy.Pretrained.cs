using System.Text.Json;
using System.Text.Json.Nodes;
using Ippo.MLNet.Core.Checkpoints;
using Ippo.MLNet.Core.Tokenization;

namespace Ippo.MLNet.Core.Models;

public sealed partial class Policy
{
    /// <summary>
    /// Loads a Hugging Face model folder as a policy: the model through <see cref="PretrainedModels.Load"/> (config.json,
    /// model.safetensors or shards; dtype and device from <paramref name="options"/>, float32 on the CPU by default) and
    /// the tokenizer through <see cref="PolicyTokenizer.FromPretrained"/> (or <see cref="PolicyTokenizer.LoadFrom"/> for
    /// what a previous <see cref="SavePretrained"/> wrote, this library's own tokenizer kinds included). A tokenizer with fewer ids than the model's vocabulary is fine (padded
    /// embeddings); one with more is an <see cref="ArgumentException"/>.
    /// </summary>
    public static Policy FromPretrained(string folder, PretrainedOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"The model folder '{folder}' does not exist.");
        // LoadFrom reads what SaveTo wrote (this library's own tokenizer kinds too) and plain tokenizer.json / tokenizer.model;
        // FromPretrained also reads a folder with only vocab.json + merges.txt.
        var tokenizer = File.Exists(Path.Combine(folder, PolicyTokenizer.SettingsFile)) || File.Exists(Path.Combine(folder, PolicyTokenizer.TokenizerJsonFile))
            ? PolicyTokenizer.LoadFrom(folder)
            : PolicyTokenizer.FromPretrained(folder);
        return Pair(PretrainedModels.Load(folder, options), tokenizer);
    }

    /// <summary>
    /// Writes the policy as a Hugging Face folder, atomically (<see cref="AtomicFolder"/>): config.json with the fields
    /// it was loaded with, model.safetensors with Hugging Face's tensor names, the tokenizer's files, and
    /// generation_config.json with the tokenizer's bos (when it has one), every eos id and pad. transformers, vLLM and
    /// llama.cpp's converter open the folder; so do <see cref="FromPretrained"/> and <see cref="Load"/>. A model with LoRA
    /// adapters is written merged (W + scale * B A); <see cref="Lora.PeftAdapterFiles.Save"/> writes the adapters alone.
    /// </summary>
    public void SavePretrained(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        if (Model.Lora is { } lora)
        {
            using var merged = lora.MergedCopy(Model);
            new Policy(merged, Tokenizer).SavePretrained(folder);
            return;
        }
        WritePretrained(folder, extra: null);
    }

    // The Hugging Face folder of this (adapter-free) model, atomically; `extra` writes more files into it first.
    private void WritePretrained(string folder, Action<string>? extra)
    {
        AtomicFolder.Write(folder, temp =>
        {
            PretrainedModels.WriteTo(Model, temp);
            Tokenizer.SaveTo(temp);
            File.WriteAllText(Path.Combine(temp, PretrainedModels.GenerationConfigFile), GenerationConfig().ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            extra?.Invoke(temp);
        });
    }

    /// <summary>The tokenizer's special ids as Hugging Face's generation_config.json names them (one eos id as a number, several as a list).</summary>
    private JsonObject GenerationConfig()
    {
        var generation = new JsonObject();
        if (Tokenizer.HasBos) generation["bos_token_id"] = Tokenizer.BosId;
        generation["eos_token_id"] = ConfigFields.TokenIdsNode(Tokenizer.EosIds);
        generation["pad_token_id"] = Tokenizer.PadId;
        return generation;
    }

    private static string ModelTypeOf(string configPath)
    {
        try
        {
            var json = JsonNode.Parse(File.ReadAllText(configPath)) as JsonObject
                ?? throw new InvalidDataException($"'{configPath}' is not a JSON object.");
            return ModelConfigJson.ModelTypeOf(json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{configPath}' is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>The policy of <paramref name="model"/> and <paramref name="tokenizer"/>; disposes the model when they do not fit.</summary>
    private static Policy Pair(CausalLanguageModel model, PolicyTokenizer tokenizer)
    {
        try
        {
            return new Policy(model, tokenizer);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
