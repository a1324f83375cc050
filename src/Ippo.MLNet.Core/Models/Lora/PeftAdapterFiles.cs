using System.Text.Json;
using System.Text.Json.Nodes;
using Ippo.MLNet.Core.Checkpoints;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Models.Lora;

/// <summary>
/// LoRA adapters as PEFT saves them, so PEFT, TRL and vLLM's LoRA loader read them: a folder with
/// <c>adapter_config.json</c> (peft_type "LORA", task_type "CAUSAL_LM", r, lora_alpha, lora_dropout, target_modules,
/// use_rslora, bias "none", base_model_name_or_path) and <c>adapter_model.safetensors</c> whose keys are
/// <c>base_model.model.</c> + the layer's Hugging Face state-dict name + <c>.lora_A.weight</c> ([r, in]) or
/// <c>.lora_B.weight</c> ([out, r]), e.g. <c>base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight</c>.
/// </summary>
public static class PeftAdapterFiles
{
    /// <summary>PEFT's config file name.</summary>
    public const string ConfigFile = "adapter_config.json";

    /// <summary>PEFT's weights file name.</summary>
    public const string WeightsFile = "adapter_model.safetensors";

    /// <summary>The prefix PEFT's PeftModelForCausalLM puts before the base model's state-dict names.</summary>
    public const string KeyPrefix = "base_model.model.";

    /// <summary>
    /// Writes the adapters of <paramref name="model"/> to <paramref name="folder"/>, atomically. The weights keep the
    /// model's dtype. Throws when the model has no adapters.
    /// </summary>
    public static void Save(CausalLanguageModel model, string folder, string? baseModelNameOrPath = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        if (model.Lora is null) throw new InvalidOperationException("The model has no LoRA adapters to save (LoraAdapters.Apply adds them).");
        AtomicFolder.Write(folder, temp => WriteFiles(model, temp, baseModelNameOrPath));
    }

    /// <summary>Writes <see cref="ConfigFile"/> and <see cref="WeightsFile"/> of <paramref name="model"/>'s adapters into an existing <paramref name="folder"/>.</summary>
    internal static void WriteFiles(CausalLanguageModel model, string folder, string? baseModelNameOrPath)
    {
        var lora = model.Lora ?? throw new InvalidOperationException("The model has no LoRA adapters to save (LoraAdapters.Apply adds them).");
        File.WriteAllText(Path.Combine(folder, ConfigFile), Config(lora, model.Config.ModelType, baseModelNameOrPath).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        var tensors = LoraAdapters.AdapterParameters(model).ToDictionary(p => KeyPrefix + p.Name, p => p.Parameter.detach().cpu().contiguous());
        try
        {
            Safetensors.SaveStateDict(Path.Combine(folder, WeightsFile), tensors);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    /// <summary>Whether <paramref name="folder"/> holds PEFT adapter files (its <see cref="ConfigFile"/>).</summary>
    public static bool Exist(string folder) => File.Exists(Path.Combine(folder, ConfigFile));

    /// <summary>
    /// Reads <paramref name="folder"/>'s adapter_config.json as <see cref="LoraOptions"/> (r, lora_alpha, lora_dropout,
    /// target_modules, use_rslora). Errors name the file and the field.
    /// </summary>
    public static LoraOptions ReadOptions(string folder)
    {
        var path = Path.Combine(folder, ConfigFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"'{folder}' is not a PEFT adapter folder: '{path}' is missing.", path);
        JsonObject json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"'{path}' is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not valid JSON: {e.Message}", e);
        }
        T Field<T>(string name, T fallback, bool required = false)
        {
            if (json[name] is not { } node)
                return required ? throw new InvalidDataException($"'{path}' has no '{name}'.") : fallback;
            try
            {
                return node.GetValue<T>();
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"'{path}': '{name}' is not a {typeof(T).Name}.", e);
            }
        }
        var peftType = Field("peft_type", "", required: true);
        if (peftType != "LORA") throw new InvalidDataException($"'{path}' has peft_type '{peftType}'; only LORA is supported.");
        var bias = Field("bias", "none");
        if (bias != "none") throw new InvalidDataException($"'{path}' has bias '{bias}'; only \"none\" (no trained biases) is supported.");
        var targets = json["target_modules"] switch
        {
            JsonArray array => array.Select(n => n?.GetValue<string>() ?? "").ToArray(),
            JsonValue value => new[] { value.GetValue<string>() },
            _ => throw new InvalidDataException($"'{path}' has no 'target_modules' list."),
        };
        try
        {
            return new LoraOptions
            {
                Rank = Field("r", 0, required: true),
                Alpha = Field("lora_alpha", 0.0, required: true),
                Dropout = Field("lora_dropout", 0.0),
                TargetModules = targets,
                UseRsLora = Field("use_rslora", false),
            }.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"'{path}' does not describe valid LoRA adapters: {e.Message}", e);
        }
    }

    /// <summary>
    /// Adds the adapters saved in <paramref name="folder"/> to <paramref name="model"/> (which must have none): applies
    /// <see cref="ReadOptions"/> and copies every adapter matrix, cast to the model's dtype. Fails with
    /// <see cref="InvalidDataException"/> naming the key that is missing, unexpected or of another shape (the model then
    /// holds fresh, untrained adapters: load into a model you can discard).
    /// </summary>
    public static LoraAdapters Load(CausalLanguageModel model, string folder)
    {
        ArgumentNullException.ThrowIfNull(model);
        var options = ReadOptions(folder);
        var path = Path.Combine(folder, WeightsFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"'{folder}' has no '{WeightsFile}'.", path);
        var loaded = Safetensors.LoadStateDict(path);
        try
        {
            var adapters = LoraAdapters.Apply(model, options);
            var expected = LoraAdapters.AdapterParameters(model);
            foreach (var (name, parameter) in expected)
            {
                if (!loaded.TryGetValue(KeyPrefix + name, out var source))
                    throw new InvalidDataException($"'{path}' has no tensor '{KeyPrefix + name}' (expected shape [{string.Join(", ", parameter.shape)}]).");
                if (!source.shape.SequenceEqual(parameter.shape))
                    throw new InvalidDataException($"Tensor '{KeyPrefix + name}' in '{path}' has shape [{string.Join(", ", source.shape)}]; the model expects [{string.Join(", ", parameter.shape)}].");
            }
            var unexpected = loaded.Keys.Except(expected.Select(e => KeyPrefix + e.Name)).ToList();
            if (unexpected.Count > 0)
                throw new InvalidDataException($"'{path}' has tensors the adapted model does not: {string.Join(", ", unexpected.Take(5).Select(n => $"'{n}'"))}.");
            using var _ = no_grad();
            foreach (var (name, parameter) in expected) parameter.copy_(loaded[KeyPrefix + name]);
            return adapters;
        }
        finally
        {
            foreach (var t in loaded.Values) t.Dispose();
        }
    }

    /// <summary>
    /// Writes <paramref name="policy"/> with its adapters merged into the weights (W + scale * B A) as a plain Hugging
    /// Face folder through <see cref="Policy.SavePretrained"/>: transformers and vLLM open it without PEFT.
    /// </summary>
    public static void SaveMerged(Policy policy, string folder)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (policy.Model.Lora is null) throw new InvalidOperationException("The policy's model has no LoRA adapters to merge.");
        policy.SavePretrained(folder); // merges a model with adapters
    }

    private static JsonObject Config(LoraAdapters lora, string modelType, string? baseModel)
    {
        var options = lora.Options;
        // PEFT saves "all-linear" expanded to the names it matched; a module's last name segment is what it matches on.
        var targets = options.TargetModules is [LoraOptions.AllLinear]
            ? lora.ModuleNames.Select(n => n[(n.LastIndexOf('.') + 1)..])
            : options.TargetModules;
        return new JsonObject
        {
            ["peft_type"] = "LORA",
            ["task_type"] = "CAUSAL_LM",
            ["base_model_name_or_path"] = baseModel,
            ["r"] = options.Rank,
            ["lora_alpha"] = options.Alpha == Math.Floor(options.Alpha) ? JsonValue.Create((long)options.Alpha) : JsonValue.Create(options.Alpha),
            ["lora_dropout"] = options.Dropout,
            ["target_modules"] = new JsonArray(targets.Distinct().OrderBy(t => t, StringComparer.Ordinal).Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()),
            ["use_rslora"] = options.UseRsLora,
            ["bias"] = "none",
            // GPT-2 stores Conv1D weights [in, out]; PEFT marks its LoRA layers so (A and B keep the Linear shapes).
            ["fan_in_fan_out"] = modelType == "gpt2",
            ["inference_mode"] = true,
            ["init_lora_weights"] = true,
            ["modules_to_save"] = null,
            ["use_dora"] = false,
        };
    }
}
