using System.Text.Json.Nodes;
using Ippo.MLNet.Core.Checkpoints;
using Ippo.MLNet.Core.Models;
using NUnit.Framework;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Ippo.MLNet.Tests.Models.Pretrained;

/// <summary>Checkpoint layouts real folders come in: BF16/F16 on disk, shards with an index, GPT-2's legacy keys; and the errors.</summary>
public class CheckpointFormatTests
{
    private string _dir = "";

    [SetUp]
    public void CreateFolder() => _dir = Directory.CreateTempSubdirectory("ippo-format-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_dir, recursive: true);

    /// <summary>Saves <paramref name="family"/>'s tiny model and returns the folder.</summary>
    private string Saved(string family, string name = "model")
    {
        using var model = TinyFamilies.Model(family);
        var folder = Path.Combine(_dir, name);
        PretrainedModels.Save(model, folder);
        return folder;
    }

    private static Dictionary<string, Tensor> Weights(string folder) => Safetensors.LoadStateDict(Path.Combine(folder, "model.safetensors"));

    private static void Rewrite(string folder, Func<Dictionary<string, Tensor>, Dictionary<string, Tensor>> change)
    {
        using var scope = NewDisposeScope();
        var changed = change(Weights(folder));
        Safetensors.SaveStateDict(Path.Combine(folder, "model.safetensors"), changed);
    }

    [TestCase(ScalarType.BFloat16, "BF16")]
    [TestCase(ScalarType.Float16, "F16")]
    public void HalfPrecisionOnDiskLoadsToFloat32WithExactlyTheStoredValues(ScalarType stored, string header)
    {
        var folder = Saved("qwen2-bias-tied");
        using var scope = NewDisposeScope();
        var original = Weights(folder);
        Rewrite(folder, w => w.ToDictionary(kv => kv.Key, kv => kv.Value.to(stored)));
        Assert.That(SafetensorsHeader.Read(Path.Combine(folder, "model.safetensors")).Values.Select(v => v.Dtype).Distinct(), Is.EqualTo(new[] { header }));
        using var model = PretrainedModels.Load(folder);
        foreach (var (name, value) in model.state_dict())
        {
            Assert.That(value.dtype, Is.EqualTo(ScalarType.Float32), name);
            // Widening a half-precision number to float32 is exact, so the loaded weight is the stored value itself.
            Assert.That(value.equal(original[name].to(stored).to(ScalarType.Float32)).all().item<bool>(), Is.True, name);
        }
        using var inStored = PretrainedModels.Load(folder, new PretrainedOptions { Dtype = stored });
        Assert.That(inStored.parameters().Select(p => p.dtype).Distinct(), Is.EqualTo(new[] { stored }));
        var (tokens, mask) = Decoding.LeftPad(new[] { new long[] { 4, 5, 6 }, new long[] { 7 } }, 0);
        var wide = Decoding.Logits(model, tokens, mask);
        var narrow = Decoding.Logits(inStored, tokens, mask);
        // Computing in half precision: ~2^-8 relative per operation on logits of magnitude ~3 over 2 layers.
        Assert.That(narrow, Is.EqualTo(wide).Within(stored == ScalarType.BFloat16 ? 0.3 : 0.05));
    }

    [Test]
    public void ShardedCheckpointWithAnIndexLoadsTheSameWeightsAsOneFile()
    {
        var folder = Saved("qwen3-qknorm");
        using (var scope = NewDisposeScope())
        {
            var all = Weights(folder);
            var names = all.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
            var first = names.Take(names.Count / 2).ToList();
            var sharded = Path.Combine(_dir, "sharded");
            Directory.CreateDirectory(sharded);
            File.Copy(Path.Combine(folder, "config.json"), Path.Combine(sharded, "config.json"));
            Safetensors.SaveStateDict(Path.Combine(sharded, "model-00001-of-00002.safetensors"), first.ToDictionary(n => n, n => all[n]));
            Safetensors.SaveStateDict(Path.Combine(sharded, "model-00002-of-00002.safetensors"), names.Skip(first.Count).ToDictionary(n => n, n => all[n]));
            var map = new JsonObject();
            foreach (var n in names) map[n] = first.Contains(n) ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors";
            File.WriteAllText(Path.Combine(sharded, "model.safetensors.index.json"), new JsonObject { ["metadata"] = new JsonObject { ["total_size"] = 0 }, ["weight_map"] = map }.ToJsonString());
        }
        using var one = PretrainedModels.Load(folder);
        using var two = PretrainedModels.Load(Path.Combine(_dir, "sharded"));
        foreach (var (name, value) in one.state_dict())
            Assert.That(two.state_dict()[name].equal(value).all().item<bool>(), Is.True, name);

        File.Delete(Path.Combine(_dir, "sharded", "model-00002-of-00002.safetensors"));
        var e = Assert.Throws<FileNotFoundException>(() => PretrainedModels.Load(Path.Combine(_dir, "sharded")))!;
        Assert.That(e.Message, Does.Contain("model-00002-of-00002.safetensors"));
    }

    [Test]
    public void Gpt2KeysWithoutThePrefixAndWithLegacyMaskBuffersLoadTheSameModel()
    {
        var fixture = HfFixture.Open("gpt2");
        var folder = Path.Combine(_dir, "gpt2-legacy");
        Directory.CreateDirectory(folder);
        File.Copy(Path.Combine(fixture.Folder, "config.json"), Path.Combine(folder, "config.json"));
        using (var scope = NewDisposeScope())
        {
            var stored = Weights(fixture.Folder);
            var legacy = stored.ToDictionary(kv => kv.Key["transformer.".Length..], kv => kv.Value);
            for (int i = 0; i < 2; i++)
            {
                legacy[$"h.{i}.attn.bias"] = ones(128, 128).tril().view(1, 1, 128, 128);
                legacy[$"h.{i}.attn.masked_bias"] = tensor(-1e4f);
            }
            Safetensors.SaveStateDict(Path.Combine(folder, "model.safetensors"), legacy);
        }
        using var expected = PretrainedModels.Load(fixture.Folder);
        using var model = PretrainedModels.Load(folder);
        var tokens = FixtureTests.Tensor2(fixture.InputIds, ScalarType.Int64);
        var mask = FixtureTests.Tensor2(fixture.AttentionMask, ScalarType.Float32);
        Assert.That(Decoding.Logits(model, tokens, mask), Is.EqualTo(Decoding.Logits(expected, tokens, mask)));
        PretrainedModels.Save(model, Path.Combine(_dir, "resaved"));
        Assert.That(SafetensorsHeader.Shapes(Path.Combine(_dir, "resaved", "model.safetensors")),
            Is.EquivalentTo(SafetensorsHeader.Shapes(Path.Combine(fixture.Folder, "model.safetensors"))), "saved in the prefixed layout, Conv1D [in, out]");
    }

    [Test]
    public void AMissingTensorIsNamed()
    {
        var folder = Saved("llama-untied");
        Rewrite(folder, w => w.Where(kv => kv.Key != "model.layers.1.mlp.up_proj.weight").ToDictionary(kv => kv.Key, kv => kv.Value));
        var e = Assert.Throws<InvalidDataException>(() => PretrainedModels.Load(folder))!;
        Assert.That(e.Message, Does.Contain("'model.layers.1.mlp.up_proj.weight'").And.Contain("[40, 32]"));
    }

    [Test]
    public void AnUnexpectedTensorIsNamed()
    {
        var folder = Saved("qwen3-qknorm");
        Rewrite(folder, w => new Dictionary<string, Tensor>(w) { ["model.layers.0.self_attn.extra.weight"] = ones(3) });
        var e = Assert.Throws<InvalidDataException>(() => PretrainedModels.Load(folder))!;
        Assert.That(e.Message, Does.Contain("'model.layers.0.self_attn.extra.weight'").And.Contain("unexpected"));
    }

    [Test]
    public void AWrongShapeIsNamedWithBothShapes()
    {
        var folder = Saved("gpt2-untied");
        // A GPT-2 Conv1D weight stored as a Linear ([out, in]) is the classic mistake.
        Rewrite(folder, w => w.ToDictionary(kv => kv.Key, kv => kv.Key == "transformer.h.0.mlp.c_fc.weight" ? kv.Value.t().contiguous() : kv.Value));
        var e = Assert.Throws<InvalidDataException>(() => PretrainedModels.Load(folder))!;
        Assert.That(e.Message, Does.Contain("'transformer.h.0.mlp.c_fc.weight'").And.Contain("[32, 48]").And.Contain("[48, 32]"));
    }

    [Test]
    public void AnUnsupportedModelTypeIsNamedWithTheSupportedOnes()
    {
        var folder = Saved("llama-untied");
        var path = Path.Combine(folder, "config.json");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"llama\"", "\"falcon\""));
        var e = Assert.Throws<NotSupportedException>(() => PretrainedModels.Load(folder))!;
        Assert.That(e.Message, Does.Contain("'falcon'").And.Contain("llama, mistral, qwen2, qwen3"));
    }

    [TestCase("\"hidden_act\": \"silu\"", "\"hidden_act\": \"gelu\"", "hidden_act")]
    [TestCase("\"num_key_value_heads\": 2", "\"num_key_value_heads\": 3", "num_key_value_heads")]
    [TestCase("\"hidden_size\": 32", "\"hidden_size\": \"wide\"", "hidden_size")]
    public void ABadConfigFieldIsNamed(string from, string to, string field)
    {
        var folder = Saved("llama-untied");
        var path = Path.Combine(folder, "config.json");
        var text = File.ReadAllText(path);
        Assert.That(text, Does.Contain(from), "the saved config.json is indented JSON");
        File.WriteAllText(path, text.Replace(from, to));
        var e = Assert.Throws<InvalidDataException>(() => PretrainedModels.Load(folder))!;
        Assert.That(e.Message, Does.Contain(field));
    }

    [Test]
    public void AnUnsupportedRopeScalingIsNamed()
    {
        var folder = Saved("llama3-rope-scaling");
        var path = Path.Combine(folder, "config.json");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"llama3\"", "\"yarn\""));
        var e = Assert.Throws<InvalidDataException>(() => PretrainedModels.Load(folder))!;
        Assert.That(e.Message, Does.Contain("rope_scaling.rope_type").And.Contain("yarn").And.Contain("llama3"));
    }

    [Test]
    public void ConfigFieldsTheRecordDoesNotModelSurviveASave()
    {
        var folder = Saved("llama-untied");
        var path = Path.Combine(folder, "config.json");
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        json["pretraining_tp"] = 1;
        json["custom_note"] = new JsonObject { ["kept"] = true };
        File.WriteAllText(path, json.ToJsonString());
        using var model = PretrainedModels.Load(folder);
        PretrainedModels.Save(model, Path.Combine(_dir, "again"));
        var again = JsonNode.Parse(File.ReadAllText(Path.Combine(_dir, "again", "config.json")))!.AsObject();
        Assert.That(again["custom_note"]!["kept"]!.GetValue<bool>(), Is.True);
        Assert.That(again["pretraining_tp"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(again["eos_token_id"]!.ToJsonString(), Is.EqualTo("[2,3]"), "several eos ids stay a list");
    }

    [Test]
    public void AFolderWithoutConfigOrWeightsIsNamed()
    {
        var folder = Saved("llama-untied");
        File.Delete(Path.Combine(folder, "model.safetensors"));
        var e = Assert.Throws<FileNotFoundException>(() => PretrainedModels.Load(folder))!;
        Assert.That(e.Message, Does.Contain("model.safetensors").And.Contain("model.safetensors.index.json"));
        File.Delete(Path.Combine(folder, "config.json"));
        e = Assert.Throws<FileNotFoundException>(() => PretrainedModels.Load(folder))!;
        Assert.That(e.Message, Does.Contain("config.json"));
    }

    [Test]
    public void AnIntegerDtypeIsRejectedNamingTheOption()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => PretrainedModels.Load(_dir, new PretrainedOptions { Dtype = ScalarType.Int32 }))!;
        Assert.That(e.Message, Does.Contain("PretrainedOptions.Dtype").And.Contain("Float32"));
    }
}
