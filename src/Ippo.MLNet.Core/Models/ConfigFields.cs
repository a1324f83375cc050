using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ippo.MLNet.Core.Models;

/// <summary>Reads typed fields of a Hugging Face config.json; every error names the field, its value and what is allowed.</summary>
internal static class ConfigFields
{
    public static int RequiredInt(JsonObject json, string name, int min, int max) =>
        OptionalInt(json, name, min, max) ?? throw new InvalidDataException($"config.json has no '{name}' (an integer in [{min}, {max}]).");

    public static int? OptionalInt(JsonObject json, string name, int min, int max) =>
        Element(json, name) is { } e ? Int(e, name, min, max) : null;

    public static double? OptionalDouble(JsonObject json, string name, double min, double max)
    {
        if (Element(json, name) is not { } e) return null;
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetDouble(out double number) || number < min || number > max)
            throw new InvalidDataException($"config.json field '{name}' is {e.GetRawText()}; expected a number in [{min}, {max}].");
        return number;
    }

    public static bool? OptionalBool(JsonObject json, string name)
    {
        if (Element(json, name) is not { } e) return null;
        if (e.ValueKind is JsonValueKind.True or JsonValueKind.False) return e.GetBoolean();
        throw new InvalidDataException($"config.json field '{name}' is {e.GetRawText()}; expected true or false.");
    }

    public static string? OptionalString(JsonObject json, string name)
    {
        if (Element(json, name) is not { } e) return null;
        if (e.ValueKind == JsonValueKind.String) return e.GetString();
        throw new InvalidDataException($"config.json field '{name}' is {e.GetRawText()}; expected a string.");
    }

    /// <summary>A token id field that holds one id or a list of ids (Llama 3's eos_token_id); null when absent.</summary>
    public static IReadOnlyList<int>? TokenIds(JsonObject json, string name)
    {
        if (Element(json, name) is not { } e) return null;
        if (e.ValueKind == JsonValueKind.Array) return e.EnumerateArray().Select(item => Int(item, name, 0, int.MaxValue)).ToList();
        return new[] { Int(e, name, 0, int.MaxValue) };
    }

    /// <summary>Writes a token id field as Hugging Face does: a number for one id, a list for several.</summary>
    public static JsonNode? TokenIdsNode(IReadOnlyList<int>? ids) =>
        ids is null ? null : ids.Count == 1 ? JsonValue.Create(ids[0]) : new JsonArray(ids.Select(id => (JsonNode?)JsonValue.Create(id)).ToArray());

    /// <summary>Sets <paramref name="name"/> to <paramref name="value"/>, or removes it when the value is null.</summary>
    public static void Set(JsonObject json, string name, JsonNode? value)
    {
        if (value is null) json.Remove(name);
        else json[name] = value;
    }

    private static int Int(JsonElement e, string name, int min, int max)
    {
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt64(out long number) || number < min || number > max)
            throw new InvalidDataException($"config.json field '{name}' is {e.GetRawText()}; expected an integer in [{min}, {max}].");
        return (int)number;
    }

    /// <summary>The field's value, or null when it is absent or JSON null.</summary>
    private static JsonElement? Element(JsonObject json, string name)
    {
        if (!json.TryGetPropertyValue(name, out var node) || node is null) return null;
        return JsonDocument.Parse(node.ToJsonString()).RootElement.Clone();
    }
}
