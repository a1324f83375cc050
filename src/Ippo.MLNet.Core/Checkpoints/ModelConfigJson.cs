using System.Text.Json;
using System.Text.Json.Nodes;
using Ippo.MLNet.Core.Models;

namespace Ippo.MLNet.Core.Checkpoints;

/// <summary>
/// Any architecture's config as JSON (a policy folder's config.json, the model field of trainer.json), read and written
/// by the architecture <see cref="ModelRegistry"/> serves for its <c>model_type</c>. A config without model_type is the
/// built-in GPT (folders written before the model seam).
/// </summary>
public static class ModelConfigJson
{
    /// <summary>The JSON key naming the architecture.</summary>
    public const string ModelTypeKey = "model_type";

    /// <summary><paramref name="config"/> as its architecture writes it, model_type included.</summary>
    public static JsonObject Write(ICausalLMConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var json = ModelRegistry.Get(config.ModelType).WriteConfig(config);
        if (!json.ContainsKey(ModelTypeKey)) json.Insert(0, ModelTypeKey, config.ModelType);
        return json;
    }

    /// <summary>The model_type of <paramref name="json"/>: its <c>model_type</c> string, else the built-in GPT's.</summary>
    public static string ModelTypeOf(JsonObject json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (!json.TryGetPropertyValue(ModelTypeKey, out var node) || node is null) return GptArchitecture.ModelType;
        return node is JsonValue value && value.TryGetValue(out string? type)
            ? type
            : throw new InvalidDataException($"'{ModelTypeKey}' must be a string; it is {node.ToJsonString()}.");
    }

    /// <summary>Reads <paramref name="json"/> with the architecture of its model_type (which must be registered).</summary>
    public static ICausalLMConfig Read(JsonObject json) => ModelRegistry.Get(ModelTypeOf(json)).ReadConfig(json);

    /// <summary>Reads a config file; errors name the file (an unsupported model_type stays a <see cref="NotSupportedException"/>).</summary>
    public static ICausalLMConfig ReadFile(string path)
    {
        JsonObject json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException("it is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not a valid model config: {e.Message}", e);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{path}' is not a valid model config: {e.Message}", e);
        }
        try
        {
            return Read(json);
        }
        catch (NotSupportedException e)
        {
            throw new NotSupportedException($"'{path}': {e.Message}", e);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidDataException or InvalidCastException or FormatException)
        {
            throw new InvalidDataException($"'{path}' is not a valid model config: {e.Message}", e);
        }
    }

    /// <summary>Writes <paramref name="config"/> to <paramref name="path"/> with <see cref="CheckpointJson.Options"/>.</summary>
    public static void WriteFile(ICausalLMConfig config, string path) =>
        File.WriteAllText(path, Write(config).ToJsonString(CheckpointJson.Options));

    /// <summary>
    /// The fields in which two configs differ, as "field is A there and B here" (empty when they describe the same model).
    /// <paramref name="saved"/> and <paramref name="current"/> are compared as written; the current config's
    /// <see cref="ICausalLMConfig.InitializationOnlyFields"/> are ignored.
    /// </summary>
    public static string Difference(JsonObject saved, ICausalLMConfig current)
    {
        ArgumentNullException.ThrowIfNull(saved);
        var here = Write(current);
        var there = (JsonObject)saved.DeepClone();
        if (!there.ContainsKey(ModelTypeKey)) there.Insert(0, ModelTypeKey, ModelTypeOf(saved));
        var ignored = current.InitializationOnlyFields.ToHashSet(StringComparer.Ordinal);
        var keys = there.Select(kv => kv.Key).Concat(here.Select(kv => kv.Key)).Distinct(StringComparer.Ordinal);
        return string.Join(", ", keys
            .Where(k => !ignored.Contains(k) && !JsonNode.DeepEquals(there[k], here[k]))
            .Select(k => $"{k} is {Show(there[k])} there and {Show(here[k])} here"));
    }

    private static string Show(JsonNode? node) => node is null ? "absent" : node.ToJsonString();
}
