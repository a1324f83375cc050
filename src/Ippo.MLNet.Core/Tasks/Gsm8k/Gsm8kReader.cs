using System.Text.Json;

namespace Ippo.MLNet.Core.Tasks.Gsm8k;

/// <summary>Reads GSM8K's jsonl files: one object per line with "question" and "answer".</summary>
public static class Gsm8kReader
{
    /// <summary>Loads up to <paramref name="limit"/> examples; errors name the file and the 1-based line.</summary>
    public static IReadOnlyList<Gsm8kExample> Load(string path, int? limit = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"GSM8K file '{path}' does not exist.", path);
        var examples = new List<Gsm8kExample>();
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            if (limit is { } max && examples.Count >= max) break;
            examples.Add(Parse(line, path, lineNumber));
        }
        return examples;
    }

    private static Gsm8kExample Parse(string line, string path, int lineNumber)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            string Field(string name) =>
                doc.RootElement.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
                    ? v.GetString()!
                    : throw new InvalidDataException($"'{path}' line {lineNumber}: missing string field \"{name}\".");
            var example = new Gsm8kExample(Field("question"), Field("answer"));
            if (!example.Answer.Contains("####"))
                throw new InvalidDataException($"'{path}' line {lineNumber}: the answer has no \"####\" final-answer line.");
            return example;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' line {lineNumber}: invalid JSON ({e.Message}).", e);
        }
    }
}
