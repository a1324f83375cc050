using System.Text.Json;
using System.Text.Json.Nodes;
using Ippo.MLNet.Core.Models;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Checkpoints;

/// <summary>
/// Hugging Face model folders in and out: config.json (its model_type picks the architecture in
/// <see cref="ModelRegistry"/>) and model.safetensors or shards listed by model.safetensors.index.json.
/// </summary>
public static class PretrainedModels
{
    /// <summary>The file names of a single-file and of a sharded checkpoint.</summary>
    public const string WeightsFile = "model.safetensors", IndexFile = "model.safetensors.index.json";

    /// <summary>The file Hugging Face's generate reads its default bos/eos/pad token ids from.</summary>
    public const string GenerationConfigFile = "generation_config.json";

    /// <summary>
    /// Loads the model of <paramref name="folder"/> (tokenizer files are not needed) in the dtype and on the device of
    /// <paramref name="options"/> (float32 on the CPU by default), whatever dtype the files store. Fails with
    /// <see cref="InvalidDataException"/> naming the tensor (and its file) that is missing, unexpected or of another
    /// shape, and with <see cref="NotSupportedException"/> listing the supported model types for an unknown model_type.
    /// </summary>
    public static CausalLanguageModel Load(string folder, PretrainedOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        options = (options ?? new PretrainedOptions()).Validate();
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"Model folder '{folder}' does not exist.");
        var configJson = ReadConfig(folder);
        if (configJson["model_type"] is null)
            throw new InvalidDataException($"'{Path.Combine(folder, "config.json")}' has no 'model_type'; supported: {string.Join(", ", ModelRegistry.SupportedModelTypes)}.");
        var config = ModelConfigJson.Read(configJson);
        var architecture = ModelRegistry.Get(config.ModelType);
        var model = architecture.Create(config);
        try
        {
            model.to(options.Dtype);
            CopyWeights(model, architecture, config, folder);
            if (options.Device is { } device && device.type != DeviceType.CPU) model.to(device);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes <paramref name="model"/> as a Hugging Face folder: config.json (the fields it was loaded with, torch_dtype
    /// set to the weights' dtype), model.safetensors with Hugging Face's key names, and generation_config.json when the
    /// config names bos/eos token ids. Replaces the folder as a whole (<see cref="AtomicFolder"/>).
    /// </summary>
    public static void Save(CausalLanguageModel model, string folder)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        AtomicFolder.Write(folder, temp => WriteTo(model, temp));
    }

    /// <summary>
    /// Writes the files of <see cref="Save"/> into the existing <paramref name="folder"/> (not atomically: callers that
    /// add more files, such as a tokenizer, wrap it in <see cref="AtomicFolder.Write"/>).
    /// </summary>
    public static void WriteTo(CausalLanguageModel model, string folder)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var architecture = ModelRegistry.Get(model.Config.ModelType);
        var config = architecture.WriteConfig(model.Config);
        var dtype = ModelDevice.DtypeOf(model);
        config["torch_dtype"] = DtypeName(dtype);
        File.WriteAllText(Path.Combine(folder, "config.json"), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        if (GenerationConfig(config) is { } generation)
            File.WriteAllText(Path.Combine(folder, GenerationConfigFile), generation.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        using var scope = NewDisposeScope();
        var state = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().cpu());
        var stored = architecture.ToHuggingFace(state, model.Config).ToDictionary(kv => kv.Key, kv => kv.Value.contiguous());
        Safetensors.SaveStateDict(Path.Combine(folder, WeightsFile), stored);
    }

    private static JsonObject ReadConfig(string folder)
    {
        var path = Path.Combine(folder, "config.json");
        if (!File.Exists(path)) throw new FileNotFoundException($"Model folder '{folder}' has no config.json.", path);
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"'{path}' is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>Copies every stored tensor, file by file, into the model; each name is checked before anything is copied from its file.</summary>
    private static void CopyWeights(CausalLanguageModel model, ICausalLMArchitecture architecture, ICausalLMConfig config, string folder)
    {
        var expected = model.state_dict();
        var loaded = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in WeightFiles(folder))
        {
            using var scope = NewDisposeScope();
            Dictionary<string, Tensor> stored;
            try
            {
                stored = Safetensors.LoadStateDict(file);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new InvalidDataException($"'{file}' is not a readable safetensors file: {e.Message}", e);
            }
            var state = architecture.FromHuggingFace(stored, config);
            foreach (var (name, source) in state)
            {
                if (!expected.TryGetValue(name, out var target))
                    throw new InvalidDataException($"Tensor '{name}' in '{file}' is not part of a {config.ModelType} model with this config.json (unexpected tensor).");
                if (!source.shape.SequenceEqual(target.shape))
                    throw new InvalidDataException(
                        $"Tensor '{name}' in '{file}' has shape [{string.Join(", ", source.shape)}]; the config.json asks for [{string.Join(", ", target.shape)}].");
                if (!loaded.Add(name)) throw new InvalidDataException($"Tensor '{name}' is stored twice (again in '{file}').");
            }
            using (no_grad())
            {
                foreach (var (name, source) in state) expected[name].copy_(source);
            }
        }
        var missing = expected.Keys.Where(k => !loaded.Contains(k)).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException(
                $"The checkpoint in '{folder}' has no tensor '{missing[0]}' (shape [{string.Join(", ", expected[missing[0]].shape)}])" +
                (missing.Count > 1 ? $" and {missing.Count - 1} more missing ({string.Join(", ", missing.Skip(1).Take(4).Select(m => $"'{m}'"))}{(missing.Count > 5 ? ", ..." : "")})." : "."));
    }

    /// <summary>
    /// The safetensors files of the checkpoint: the shards named by the index's weight_map, else model.safetensors.
    /// (TorchSharp.PyBridge's load_checkpoint also reads the index, but only into a module whose names equal the files'
    /// and without naming a wrong tensor; here the names are mapped per architecture and every error names the tensor.)
    /// </summary>
    private static IEnumerable<string> WeightFiles(string folder)
    {
        var index = Path.Combine(folder, IndexFile);
        if (File.Exists(index))
        {
            var map = (JsonNode.Parse(File.ReadAllText(index)) as JsonObject)?["weight_map"] as JsonObject
                ?? throw new InvalidDataException($"'{index}' has no 'weight_map' object.");
            var files = map.Select(kv => kv.Value?.GetValue<string>() ?? throw new InvalidDataException($"'{index}' maps '{kv.Key}' to no file.")).Distinct().ToList();
            foreach (var file in files)
            {
                var path = Path.Combine(folder, file);
                if (!File.Exists(path)) throw new FileNotFoundException($"'{index}' lists shard '{file}', which is not in the folder.", path);
            }
            return files.Select(f => Path.Combine(folder, f));
        }
        var single = Path.Combine(folder, WeightsFile);
        if (File.Exists(single)) return new[] { single };
        throw new FileNotFoundException($"Model folder '{folder}' has neither {WeightsFile} nor {IndexFile} (pytorch_model.bin is not supported: convert it to safetensors).", single);
    }

    private static JsonObject? GenerationConfig(JsonObject config)
    {
        var generation = new JsonObject();
        foreach (var field in new[] { "bos_token_id", "eos_token_id", "pad_token_id" })
            if (config[field] is { } value) generation[field] = value.DeepClone();
        if (generation.Count == 0) return null;
        generation["_from_model_config"] = true;
        return generation;
    }

    private static string DtypeName(ScalarType dtype) => dtype switch
    {
        ScalarType.BFloat16 => "bfloat16",
        ScalarType.Float16 => "float16",
        ScalarType.Float64 => "float64",
        _ => "float32",
    };
}
