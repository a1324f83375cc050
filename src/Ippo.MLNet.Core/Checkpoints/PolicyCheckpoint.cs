using System.Text.Json;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Checkpoints;

namespace Ippo.MLNet.Core.Checkpoints;

/// <summary>
/// A policy saved as one folder: <c>config.json</c> (the <see cref="GptConfig"/>) and <c>model.safetensors</c>
/// (nanoGPT tensor names, loadable from PyTorch with the safetensors package). A tokenizer may add its own files.
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
    public static void Save(GptLanguageModel model, string folder, Action<string>? extra = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        AtomicFolder.Write(folder, temp =>
        {
            File.WriteAllText(Path.Combine(temp, ConfigFile), JsonSerializer.Serialize(model.GptConfig, CheckpointJson.Options));
            StateDictFile.Save(model, Path.Combine(temp, WeightsFile));
            extra?.Invoke(temp);
        });
    }

    /// <summary>Reads the config of a checkpoint folder, with errors that name the file.</summary>
    public static GptConfig ReadConfig(string folder)
    {
        var path = Path.Combine(folder, ConfigFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"'{folder}' is not a policy checkpoint: '{path}' is missing.", path);
        try
        {
            var config = JsonSerializer.Deserialize<GptConfig>(File.ReadAllText(path), CheckpointJson.Options)
                ?? throw new InvalidDataException($"'{path}' is empty.");
            return config.Validate();
        }
        catch (Exception e) when (e is JsonException or ArgumentOutOfRangeException)
        {
            throw new InvalidDataException($"'{path}' is not a valid model config: {e.Message}", e);
        }
    }

    /// <summary>Loads the policy saved in <paramref name="folder"/> onto the CPU.</summary>
    public static GptLanguageModel Load(string folder)
    {
        var model = new GptLanguageModel(ReadConfig(folder));
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
