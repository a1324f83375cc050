using System.Text.Json.Nodes;

namespace Ippo.MLNet.Tests.Models.Pretrained;

/// <summary>A fixture folder under Fixtures/hf (copied to the output directory) and its expected.json.</summary>
internal sealed class HfFixture
{
    private HfFixture(string name)
    {
        Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "hf", name);
        Expected = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "expected.json")))!.AsObject();
    }

    public string Folder { get; }

    public JsonObject Expected { get; }

    public static HfFixture Open(string name) => new(name);

    public long[][] InputIds => Rows(Expected["input_ids"]!);

    public long[][] AttentionMask => Rows(Expected["attention_mask"]!);

    public long[][] LeftPaddedIds => Rows(Expected["left_padded"]!["input_ids"]!);

    public long[][] LeftPaddedMask => Rows(Expected["left_padded"]!["attention_mask"]!);

    public long[][] GreedyPrompts => Rows(Expected["greedy"]!["prompts"]!);

    public long[][] GreedyTokens => Rows(Expected["greedy"]!["new_tokens"]!);

    /// <summary>logits[b][t][v] at the real positions of row b (float64).</summary>
    public double[][][] Logits => Expected["logits"]!.AsArray()
        .Select(row => row!.AsArray().Select(pos => pos!.AsArray().Select(v => v!.GetValue<double>()).ToArray()).ToArray()).ToArray();

    private static long[][] Rows(JsonNode node) =>
        node.AsArray().Select(row => row!.AsArray().Select(v => v!.GetValue<long>()).ToArray()).ToArray();
}
