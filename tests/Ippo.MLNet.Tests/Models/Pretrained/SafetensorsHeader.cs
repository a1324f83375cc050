using System.Text.Json.Nodes;

namespace Ippo.MLNet.Tests.Models.Pretrained;

/// <summary>Reads a safetensors header directly (independently of the loader under test): name -> (dtype, shape).</summary>
internal static class SafetensorsHeader
{
    public static Dictionary<string, (string Dtype, long[] Shape)> Read(string path)
    {
        using var stream = File.OpenRead(path);
        var lengthBytes = new byte[8];
        stream.ReadExactly(lengthBytes);
        var header = new byte[BitConverter.ToInt64(lengthBytes)];
        stream.ReadExactly(header);
        var json = JsonNode.Parse(header)!.AsObject();
        return json.Where(kv => kv.Key != "__metadata__").ToDictionary(
            kv => kv.Key,
            kv => (kv.Value!["dtype"]!.GetValue<string>(), kv.Value!["shape"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray()));
    }

    /// <summary>"name [d0, d1]" per tensor, for comparing key names and shapes of two files.</summary>
    public static IEnumerable<string> Shapes(string path) => Read(path).Select(kv => $"{kv.Key} [{string.Join(", ", kv.Value.Shape)}]");
}
