using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Models.Llama;
using NUnit.Framework;
using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Tests.Models.Pretrained;

/// <summary>Family features checked against hand arithmetic and Hugging Face's state-dict layout.</summary>
public class ArchitectureTests
{
    private static Dictionary<string, long[]> Shapes(nn.Module model) => model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);

    [Test]
    public void Qwen2HasBiasesOnQkvButNotOnTheOutputProjection()
    {
        using var model = TinyFamilies.Model("qwen2-bias-tied");
        var shapes = Shapes(model);
        Assert.That(shapes["model.layers.0.self_attn.q_proj.bias"], Is.EqualTo(new long[] { 32 }));
        Assert.That(shapes["model.layers.1.self_attn.k_proj.bias"], Is.EqualTo(new long[] { 16 }), "2 key/value heads of 8");
        Assert.That(shapes, Does.ContainKey("model.layers.0.self_attn.v_proj.bias"));
        Assert.That(shapes, Does.Not.ContainKey("model.layers.0.self_attn.o_proj.bias"));
        Assert.That(shapes, Does.Not.ContainKey("lm_head.weight"), "tied");
        Assert.That(model.TiedHeadParameterName, Is.EqualTo("model.embed_tokens.weight"));
    }

    [Test]
    public void Qwen3HasPerHeadNormsAndItsOwnHeadWidth()
    {
        using var model = TinyFamilies.Model("qwen3-qknorm");
        var shapes = Shapes(model);
        Assert.That(shapes["model.layers.0.self_attn.q_norm.weight"], Is.EqualTo(new long[] { 12 }));
        Assert.That(shapes["model.layers.0.self_attn.k_norm.weight"], Is.EqualTo(new long[] { 12 }));
        Assert.That(shapes["model.layers.0.self_attn.q_proj.weight"], Is.EqualTo(new long[] { 48, 32 }), "4 heads of 12 from hidden 32");
        Assert.That(shapes["model.layers.0.self_attn.o_proj.weight"], Is.EqualTo(new long[] { 32, 48 }));
        Assert.That(shapes["lm_head.weight"], Is.EqualTo(new long[] { TinyFamilies.Vocab, 32 }));
        Assert.That(shapes, Does.Not.ContainKey("model.layers.0.self_attn.q_proj.bias"));
        Assert.That(model.TiedHeadParameterName, Is.Null);
    }

    [Test]
    public void LlamaNamesAreHuggingFacesAndNothingElse()
    {
        using var model = TinyFamilies.Model("llama-untied");
        var perLayer = new[]
        {
            "input_layernorm.weight", "post_attention_layernorm.weight", "self_attn.q_proj.weight", "self_attn.q_proj.bias",
            "self_attn.k_proj.weight", "self_attn.k_proj.bias", "self_attn.v_proj.weight", "self_attn.v_proj.bias",
            "self_attn.o_proj.weight", "self_attn.o_proj.bias", "mlp.gate_proj.weight", "mlp.gate_proj.bias",
            "mlp.up_proj.weight", "mlp.up_proj.bias", "mlp.down_proj.weight", "mlp.down_proj.bias",
        };
        var expected = new[] { "model.embed_tokens.weight", "model.norm.weight", "lm_head.weight" }
            .Concat(Enumerable.Range(0, 2).SelectMany(i => perLayer.Select(p => $"model.layers.{i}.{p}")));
        Assert.That(model.state_dict().Keys, Is.EquivalentTo(expected), "no rotary buffer or other extra entry");
    }

    [Test]
    public void Llama3ScalingKeepsShortWavelengthsDividesLongOnesAndBlendsBetween()
    {
        // head 8, theta 100: inv_freq = 100^(-i/4) = 1, 0.3162, 0.1, 0.03162; wavelengths 2*pi/f = 6.28, 19.9, 62.8, 198.7.
        // original 64, low 1, high 4: wavelengths below 16 stay, above 64 are divided by 8, between blend with
        // smooth = (64 / wavelength - 1) / 3.
        var config = new LlamaConfig
        {
            HiddenSize = 16, NumAttentionHeads = 2, RopeTheta = 100,
            RopeScaling = new LlamaRopeScaling { RopeType = "llama3", Factor = 8, LowFreqFactor = 1, HighFreqFactor = 4, OriginalMaxPositionEmbeddings = 64 },
        };
        var f = new RotaryEmbedding(config).InverseFrequencies;
        double f1 = Math.Pow(100, -0.25), f2 = 0.1, f3 = Math.Pow(100, -0.75);
        double smooth1 = (64 / (2 * Math.PI / f1) - 1) / 3, smooth2 = (64 / (2 * Math.PI / f2) - 1) / 3;
        Assert.That(f[0], Is.EqualTo(1.0).Within(1e-15));
        Assert.That(f[1], Is.EqualTo((1 - smooth1) * f1 / 8 + smooth1 * f1).Within(1e-15));
        Assert.That(f[2], Is.EqualTo((1 - smooth2) * f2 / 8 + smooth2 * f2).Within(1e-15));
        Assert.That(f[3], Is.EqualTo(f3 / 8).Within(1e-15));
        Assert.That(smooth1, Is.InRange(0.0, 1.0));
    }

    [Test]
    public void RotaryTurnsFeatureIWithFeatureIPlusHalf()
    {
        using var scope = NewDisposeScope();
        var config = new LlamaConfig { HiddenSize = 8, NumAttentionHeads = 2, RopeTheta = 10_000 };
        var rotary = new RotaryEmbedding(config);
        var x = arange(1, 5, dtype: ScalarType.Float64).view(1, 1, 1, 4); // one head: features 1, 2, 3, 4
        var (cos, sin) = rotary.Angles(tensor(new long[] { 3 }).view(1, 1), ScalarType.Float64);
        var y = RotaryEmbedding.Apply(x, cos, sin).data<double>().ToArray();
        // pairs (x0, x2) and (x1, x3) turn by 3 * inv_freq[i], inv_freq = 1, 1/100
        double a0 = 3.0, a1 = 3.0 / 100;
        var expected = new[] { 1 * Math.Cos(a0) - 3 * Math.Sin(a0), 2 * Math.Cos(a1) - 4 * Math.Sin(a1), 3 * Math.Cos(a0) + 1 * Math.Sin(a0), 4 * Math.Cos(a1) + 2 * Math.Sin(a1) };
        Assert.That(y, Is.EqualTo(expected).Within(1e-12));
    }

    [Test]
    public void RmsNormOfHalfPrecisionInputIsComputedInFloat32ThenRounded()
    {
        using var scope = NewDisposeScope();
        var norm = new RmsNorm(4, 1e-5);
        norm.to(ScalarType.BFloat16);
        var x = tensor(new float[] { 300.5f, -2.25f, 1e-3f, 7f }).view(1, 4);
        var expected = x.data<float>().ToArray();
        double rms = Math.Sqrt(expected.Select(v => (double)v * v).Average() + 1e-5);
        var y = norm.call(x.to(ScalarType.BFloat16));
        Assert.That(y.dtype, Is.EqualTo(ScalarType.BFloat16));
        var got = y.to(ScalarType.Float32).data<float>().ToArray();
        // bf16 has 8 significant bits: the input's own rounding (<= 2^-9 relative) and the output's bound the difference.
        for (int i = 0; i < 4; i++) Assert.That(got[i], Is.EqualTo(expected[i] / rms).Within(Math.Abs(expected[i] / rms) * 2 * Math.Pow(2, -8) + 1e-6));
    }

    [Test]
    public void MistralSlidingWindowHidesKeysOlderThanTheWindow()
    {
        var config = TinyFamilies.Llama("mistral") with { SlidingWindow = 3, NumHiddenLayers = 1 };
        using var model = new LlamaForCausalLM(config);
        TinyFamilies.Randomize(model, 9);
        using var scope = NewDisposeScope();
        var mask = ones(1, 8);
        var a = Decoding.Logits(model, tensor(new long[] { 4, 5, 6, 7, 8, 9, 10, 11 }).view(1, 8), mask);
        var b = Decoding.Logits(model, tensor(new long[] { 20, 5, 6, 7, 8, 9, 10, 11 }).view(1, 8), mask);
        int v = TinyFamilies.Vocab;
        // One layer, window 3: position t sees t-2..t, so only positions 0..2 see token 0.
        for (int t = 0; t < 8; t++)
        {
            var at = a.Skip(t * v).Take(v).ToArray();
            var bt = b.Skip(t * v).Take(v).ToArray();
            if (t < 3) Assert.That(at, Is.Not.EqualTo(bt), $"position {t} sees token 0");
            else Assert.That(at, Is.EqualTo(bt), $"position {t} must not see token 0");
        }
    }

    [Test]
    public void RegistryServesEveryFamilyAndNamesTheSupportedTypesForAnUnknownOne()
    {
        foreach (var type in new[] { "llama", "mistral", "qwen2", "qwen3", "gpt2" })
            Assert.That(ModelRegistry.SupportedModelTypes, Does.Contain(type));
        var e = Assert.Throws<NotSupportedException>(() => ModelRegistry.Get("falcon"))!;
        Assert.That(e.Message, Does.Contain("'falcon'").And.Contain("qwen3").And.Contain("gpt2").And.Contain("llama"));
    }

    [TestCase("llama-gqa")]
    [TestCase("gpt2")]
    public void ConfigsReadFromTheSameFileAreEqualAndAChangedFieldIsNot(string fixture)
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(HfFixture.Open(fixture).Folder, "config.json")))!.AsObject();
        var architecture = ModelRegistry.Get(json["model_type"]!.GetValue<string>());
        var a = architecture.ReadConfig(json);
        var b = architecture.ReadConfig(json);
        Assert.That(a, Is.EqualTo(b));
        Assert.That(a.GetHashCode(), Is.EqualTo(b.GetHashCode()));
        json["vocab_size"] = 500;
        Assert.That(architecture.ReadConfig(json), Is.Not.EqualTo(a));
    }

    [Test]
    public void LinearScalingDividesEveryFrequencyByTheFactor()
    {
        var plain = new RotaryEmbedding(new LlamaConfig { HiddenSize = 16, NumAttentionHeads = 2 }).InverseFrequencies;
        var scaled = new RotaryEmbedding(new LlamaConfig
        {
            HiddenSize = 16, NumAttentionHeads = 2, RopeScaling = new LlamaRopeScaling { RopeType = "linear", Factor = 4 },
        }).InverseFrequencies;
        Assert.That(scaled, Is.EqualTo(plain.Select(f => f / 4)).Within(1e-18));
    }
}
