using Ippo.MLNet.Core.Models;

namespace Ippo.MLNet.Core.Checkpoints;

/// <summary>
/// A policy saved as one folder: <c>config.json</c> (the architecture's config with its <c>model_type</c>, written and
/// read through <see cref="ModelRegistry"/>) and <c>model.safetensors</c> (the architecture's state-dict names). A
/// config.json without model_type is the built-in GPT. A tokenizer may add its own files.
/// </summary>
public static class PolicyCheckpoint
{
    /// <summary>File name of the model config inside a checkpoint folder.</summary>
    public const string ConfigFile = "config.json";

    /// <summary>File name of the weights inside a checkpoint folder.</summary>
    public const string WeightsFile = "model.safetensors";

    /// <summary>
    /// Writes <paramref name="model"/> to <paramref name="folder"/> atomically; <paramref name="extra"/> may write
    /// more files (tokenizer, value head) into the same folder before it replaces the old one.
    /// </summary>
    public static void Save(CausalLanguageModel model, string folder, Action<string>? extra = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        AtomicFolder.Write(folder, temp =>
        {
            WriteModel(model, temp);
            extra?.Invoke(temp);
        });
    }

    /// <summary>
    /// Writes config.json and model.safetensors of <paramref name="model"/> into an existing <paramref name="folder"/>.
    /// A model with LoRA adapters writes its frozen base weights there and the adapters beside them in PEFT's format
    /// (<see cref="Models.Lora.PeftAdapterFiles"/>), so <see cref="Policy.Load"/> opens the folder with its adapters.
    /// </summary>
    public static void WriteModel(CausalLanguageModel model, string folder)
    {
        ModelConfigJson.WriteFile(model.Config, Path.Combine(folder, ConfigFile));
        if (model.Lora is null)
        {
            StateDictFile.Save(model, Path.Combine(folder, WeightsFile));
            return;
        }
        StateDictFile.Save(model, Path.Combine(folder, WeightsFile), name => !Models.Lora.LoraAdapters.IsAdapterParameter(name));
        Models.Lora.PeftAdapterFiles.WriteFiles(model, folder, baseModelNameOrPath: null);
    }

    /// <summary>Reads the config of a checkpoint folder, with errors that name the file.</summary>
    public static ICausalLMConfig ReadConfig(string folder)
    {
        var path = Path.Combine(folder, ConfigFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"'{folder}' is not a policy checkpoint: '{path}' is missing.", path);
        return ModelConfigJson.ReadFile(path);
    }

    /// <summary>Loads the policy saved in <paramref name="folder"/> onto the CPU, built by the architecture of its model_type.</summary>
    public static CausalLanguageModel Load(string folder)
    {
        var config = ReadConfig(folder);
        var model = ModelRegistry.Get(config.ModelType).Create(config);
        try
        {
            StateDictFile.Load(model, Path.Combine(folder, WeightsFile));
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
