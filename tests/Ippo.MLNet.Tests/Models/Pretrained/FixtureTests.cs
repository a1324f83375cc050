using Ippo.MLNet.Core.Checkpoints;
using Ippo.MLNet.Core.Models;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Ippo.MLNet.Tests.Models.Pretrained;

/// <summary>
/// Hugging Face fixtures: tiny random checkpoints whose logits and greedy tokens an independent PyTorch implementation
/// computed in float64 (llama-gqa and gpt2 from ../shared; the other four from tests/fixtures-src, BF16 on disk for
/// qwen3). Loaded here in float32 they must agree within 2e-5: float32 rounding of these logits (magnitude up to ~8)
/// is about 1e-6, and every loader mistake tried moves them by far more (see Fixtures/hf/README.md).
/// </summary>
[TestFixture("llama-gqa")]
[TestFixture("gpt2")]
[TestFixture("qwen2-bias")]
[TestFixture("qwen3-qknorm-bf16")]
[TestFixture("llama3-rope")]
[TestFixture("mistral-window")]
public class FixtureTests(string name)
{
    private const double Tolerance = 2e-5;

    private HfFixture Fixture => HfFixture.Open(name);

    /// <summary>An id none of the expected continuations contains, so generation runs all 8 steps as the fixture did.</summary>
    private static int StopId(CausalLanguageModel model, HfFixture fixture) =>
        Decoding.UnusedId(model.Config.VocabSize, fixture.GreedyTokens.SelectMany(r => r).ToArray());

    [Test]
    public void LogitsMatchAtEveryRealPositionOfTheRightPaddedBatch()
    {
        using var model = PretrainedModels.Load(Fixture.Folder);
        AssertRealPositions(model, Fixture.InputIds, Fixture.AttentionMask);
    }

    [Test]
    public void LeftPaddedBatchGivesTheSameLogitsAndHuggingFacesPositionIds()
    {
        var fixture = Fixture;
        using var model = PretrainedModels.Load(fixture.Folder);
        AssertRealPositions(model, fixture.LeftPaddedIds, fixture.LeftPaddedMask);
        var hfPositions = fixture.Expected["left_padded"]!["position_ids"]!.AsArray();
        using var scope = NewDisposeScope();
        var positions = AttentionMasks.Positions(Tensor2(fixture.LeftPaddedMask, ScalarType.Float32));
        for (int b = 0; b < fixture.LeftPaddedMask.Length; b++)
            for (int t = 0; t < fixture.LeftPaddedMask[b].Length; t++)
                if (fixture.LeftPaddedMask[b][t] == 1)
                    Assert.That(positions[b, t].item<long>(), Is.EqualTo(hfPositions[b]![t]!.GetValue<long>()), $"position id of row {b}, column {t}");
    }

    [TestCase(true)]
    [TestCase(false)]
    public void GreedyContinuationsOfEachPromptAloneAreExact(bool useCache)
    {
        var fixture = Fixture;
        using var model = PretrainedModels.Load(fixture.Folder);
        for (int i = 0; i < fixture.GreedyPrompts.Length; i++)
        {
            var (tokens, _) = Decoding.Greedy(model, new[] { fixture.GreedyPrompts[i] }, steps: 8, useCache, StopId(model, fixture));
            Assert.That(tokens[0], Is.EqualTo(fixture.GreedyTokens[i]), $"prompt {i}");
        }
    }

    [Test]
    public void GreedyContinuationsOfTheLeftPaddedBatchWithTheCacheAreExact()
    {
        var fixture = Fixture;
        using var model = PretrainedModels.Load(fixture.Folder);
        var (tokens, _) = Decoding.Greedy(model, fixture.GreedyPrompts, steps: 8, useCache: true, StopId(model, fixture));
        Assert.That(tokens, Is.EqualTo(fixture.GreedyTokens));
    }

    [Test]
    public void SaveThenLoadGivesIdenticalLogitsAndTheFixturesKeyNamesAndShapes()
    {
        var fixture = Fixture;
        var dir = Directory.CreateTempSubdirectory("ippo-hf-").FullName;
        try
        {
            using var model = PretrainedModels.Load(fixture.Folder);
            PretrainedModels.Save(model, Path.Combine(dir, "saved"));
            using var again = PretrainedModels.Load(Path.Combine(dir, "saved"));
            using var scope = NewDisposeScope();
            var tokens = Tensor2(fixture.InputIds, ScalarType.Int64);
            var mask = Tensor2(fixture.AttentionMask, ScalarType.Float32);
            Assert.That(Decoding.Logits(again, tokens, mask), Is.EqualTo(Decoding.Logits(model, tokens, mask)), "bit-identical after a round trip");
            Assert.That(SafetensorsHeader.Shapes(Path.Combine(dir, "saved", "model.safetensors")),
                Is.EquivalentTo(SafetensorsHeader.Shapes(Path.Combine(fixture.Folder, "model.safetensors"))));
            var source = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(fixture.Folder, "config.json")))!.AsObject();
            var written = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "saved", "config.json")))!.AsObject();
            foreach (var (field, value) in source)
                Assert.That(written.ContainsKey(field), Is.True, $"config.json keeps '{field}'");
            Assert.That(written["model_type"]!.GetValue<string>(), Is.EqualTo(source["model_type"]!.GetValue<string>()));
            var generation = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "saved", "generation_config.json")))!.AsObject();
            Assert.That(generation["eos_token_id"]!.ToJsonString(), Is.EqualTo(source["eos_token_id"]!.ToJsonString()));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private void AssertRealPositions(CausalLanguageModel model, long[][] ids, long[][] mask)
    {
        var expected = Fixture.Logits;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        model.eval();
        var logits = model.Forward(Tensor2(ids, ScalarType.Int64), Tensor2(mask, ScalarType.Float32)).to(ScalarType.Float64);
        double worst = 0;
        for (int b = 0; b < ids.Length; b++)
        {
            var real = Enumerable.Range(0, mask[b].Length).Where(t => mask[b][t] == 1).ToArray();
            Assert.That(real.Length, Is.EqualTo(expected[b].Length), $"row {b} real positions");
            for (int j = 0; j < real.Length; j++)
            {
                var row = logits[b, real[j]].data<double>().ToArray();
                for (int v = 0; v < row.Length; v++) worst = Math.Max(worst, Math.Abs(row[v] - expected[b][j][v]));
            }
        }
        Assert.That(worst, Is.LessThanOrEqualTo(Tolerance), $"largest logit difference {worst:E2}");
    }

    internal static Tensor Tensor2(long[][] rows, ScalarType dtype) =>
        tensor(rows.SelectMany(r => r).ToArray(), new long[] { rows.Length, rows[0].Length }).to(dtype);
}
