using Ippo.MLNet.Core.Checkpoints;
using Ippo.MLNet.Core.Models;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Ippo.MLNet.Tests.Models.Pretrained;

/// <summary>Every family feature on a tiny random model: KV cache, left padding, Hugging Face names, save/load.</summary>
[TestFixtureSource(typeof(TinyFamilies), nameof(TinyFamilies.Names))]
public class FamilyTests(string family)
{
    // Cached and full forwards multiply the same float32 numbers in different groupings: ~1e-7 relative per layer on
    // logits of magnitude ~3, so 1e-5 is loose for rounding yet far below what a wrong position or mask would give.
    private const double Tolerance = 1e-5;

    private static readonly long[][] Prompts = { new long[] { 5, 6, 7, 8, 9 }, new long[] { 10, 11 }, new long[] { 12, 13, 14, 15, 16, 17, 18 } };

    [Test]
    public void CachedGreedyDecodingEqualsFullRecomputation()
    {
        using var model = TinyFamilies.Model(family);
        var cached = Decoding.Greedy(model, Prompts, steps: 6, useCache: true);
        var full = Decoding.Greedy(model, Prompts, steps: 6, useCache: false);
        Assert.That(cached.Tokens, Is.EqualTo(full.Tokens));
        Assert.That(cached.Tokens.Sum(t => t.Length), Is.GreaterThan(Prompts.Length), "rows must not all stop at once");
        for (int b = 0; b < Prompts.Length; b++)
            Assert.That(cached.LogProbs[b], Is.EqualTo(full.LogProbs[b]).Within(Tolerance), $"row {b}");
    }

    [Test]
    public void LeftPaddedBatchEqualsEachPromptAlone()
    {
        using var model = TinyFamilies.Model(family);
        var batch = Decoding.Greedy(model, Prompts, steps: 6, useCache: true);
        for (int i = 0; i < Prompts.Length; i++)
        {
            var alone = Decoding.Greedy(model, new[] { Prompts[i] }, steps: 6, useCache: true);
            Assert.That(batch.Tokens[i], Is.EqualTo(alone.Tokens[0]), $"prompt {i} tokens");
            Assert.That(batch.LogProbs[i], Is.EqualTo(alone.LogProbs[0]).Within(Tolerance), $"prompt {i} log-probabilities");
        }
    }

    [Test]
    public void SaveThenLoadGivesIdenticalLogitsConfigAndKeys()
    {
        var dir = Directory.CreateTempSubdirectory("ippo-family-").FullName;
        try
        {
            using var model = TinyFamilies.Model(family);
            PretrainedModels.Save(model, Path.Combine(dir, "a"));
            using var loaded = PretrainedModels.Load(Path.Combine(dir, "a"));
            PretrainedModels.Save(loaded, Path.Combine(dir, "b"));
            using var scope = NewDisposeScope();
            var (tokens, mask) = Decoding.LeftPad(Prompts, 0);
            Assert.That(Decoding.Logits(loaded, tokens, mask), Is.EqualTo(Decoding.Logits(model, tokens, mask)));
            Assert.That(loaded.GetType(), Is.EqualTo(model.GetType()));
            Assert.That(SafetensorsHeader.Shapes(Path.Combine(dir, "b", "model.safetensors")), Is.EquivalentTo(SafetensorsHeader.Shapes(Path.Combine(dir, "a", "model.safetensors"))));
            Assert.That(File.ReadAllText(Path.Combine(dir, "b", "config.json")), Is.EqualTo(File.ReadAllText(Path.Combine(dir, "a", "config.json"))));
            Assert.That(File.Exists(Path.Combine(dir, "a", "generation_config.json")), Is.True, "the config names bos and eos");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void ABoolMaskGivesTheSameLogitsAsAFloatMask()
    {
        using var model = TinyFamilies.Model(family);
        using var scope = NewDisposeScope();
        var tokens = tensor(new long[] { 5, 6, 7, 8, 9, 10, 11, 0, 0, 0 }, new long[] { 2, 5 });
        var mask = tensor(new float[] { 1, 1, 1, 1, 1, 1, 1, 0, 0, 0 }, new long[] { 2, 5 });
        Assert.That(Decoding.Logits(model, tokens, mask.to(ScalarType.Bool)), Is.EqualTo(Decoding.Logits(model, tokens, mask)));
    }
}
