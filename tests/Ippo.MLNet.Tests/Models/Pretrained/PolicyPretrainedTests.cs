using System.Text.Json.Nodes;
using Ippo.MLNet.Core.Generation;
using Ippo.MLNet.Core.Models;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Ippo.MLNet.Tests.Models.Pretrained;

/// <summary>Policy.FromPretrained / SavePretrained round trips, prompt encoding that follows the tokenizer, and stops on every EOS id.</summary>
public class PolicyPretrainedTests
{
    private string _dir = "";

    [SetUp]
    public void CreateFolder() => _dir = Directory.CreateTempSubdirectory("ippo-policy-hf-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_dir, recursive: true);

    private static float[] Logits(Policy policy, int[] ids)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var tokens = tensor(ids.Select(i => (long)i).ToArray()).unsqueeze(0);
        return policy.Model.Forward(tokens, ones_like(tokens)).flatten().data<float>().ToArray();
    }

    [TestCase(false)]
    [TestCase(true)]
    public void SavePretrainedThenFromPretrainedGivesTheSameModelKeysAndConfig(bool throughSave)
    {
        var original = PretrainedFolders.WriteLlama(Path.Combine(_dir, "original"));
        var saved = Path.Combine(_dir, "saved");
        using var policy = Policy.FromPretrained(original);
        Assert.That(policy.Tokenizer.VocabSize, Is.LessThan(policy.Model.Config.VocabSize), "the fixture pads the embedding");
        if (throughSave) policy.Save(saved); else policy.SavePretrained(saved);
        using var again = throughSave ? Policy.Load(saved) : Policy.FromPretrained(saved);

        var prompt = policy.EncodePrompt("Hello world");
        // Same weights through the same code on the same machine: bit-identical.
        Assert.That(Logits(again, prompt), Is.EqualTo(Logits(policy, prompt)));
        Assert.That(SafetensorsHeader.Shapes(Path.Combine(saved, "model.safetensors")),
            Is.EquivalentTo(SafetensorsHeader.Shapes(Path.Combine(original, "model.safetensors"))));
        var before = JsonNode.Parse(File.ReadAllText(Path.Combine(original, "config.json")))!.AsObject();
        var after = JsonNode.Parse(File.ReadAllText(Path.Combine(saved, "config.json")))!.AsObject();
        foreach (var (key, value) in before)
            Assert.That(JsonNode.DeepEquals(after[key], value), Is.True, $"config field {key}: {value?.ToJsonString()} became {after[key]?.ToJsonString()}");
        Assert.That(again.Tokenizer.EosIds, Is.EqualTo(policy.Tokenizer.EosIds));
        Assert.That(again.Tokenizer.Encode("Hello world, April"), Is.EqualTo(policy.Tokenizer.Encode("Hello world, April")));
        var generation = JsonNode.Parse(File.ReadAllText(Path.Combine(saved, "generation_config.json")))!.AsObject();
        Assert.That(generation["bos_token_id"]!.GetValue<int>(), Is.EqualTo(policy.Tokenizer.BosId));
        Assert.That(generation["eos_token_id"]!.AsArray().Select(n => n!.GetValue<int>()), Is.EqualTo(policy.Tokenizer.EosIds));
        Assert.That(generation["pad_token_id"]!.GetValue<int>(), Is.EqualTo(policy.Tokenizer.PadId));
        Assert.That(Directory.GetDirectories(_dir).Select(Path.GetFileName), Is.EquivalentTo(new[] { "original", "saved" }), "no temporary folder left behind");
    }

    [Test]
    public void PromptsStartWithBosOnlyWhenTheTokenizerPutsItFirstAndCompletionsEndWithEos()
    {
        using var qwen = Policy.FromPretrained(PretrainedFolders.WriteQwen(Path.Combine(_dir, "qwen")));
        using var llama = Policy.FromPretrained(PretrainedFolders.WriteLlama(Path.Combine(_dir, "llama")));
        const string text = "Hello world";
        Assert.That(qwen.EncodePrompt(text), Is.EqualTo(qwen.Tokenizer.Encode(text)), "Qwen has no BOS");
        Assert.That(llama.EncodePrompt(text), Is.EqualTo(new[] { llama.Tokenizer.BosId }.Concat(llama.Tokenizer.Encode(text))));
        Assert.That(qwen.EncodeCompletion(text).Last(), Is.EqualTo(458), "<|im_end|>, the first EOS");
        Assert.That(qwen.EncodeCompletion(text)[..^1], Is.EqualTo(qwen.Tokenizer.Encode(text)));
    }

    [Test]
    public void GenerationStopsOnTheTokenizersSecondEosId()
    {
        var options = new GenerationOptions { Temperature = 0, MaxNewTokens = 8 };
        int[] free;
        using (var probe = Policy.FromPretrained(PretrainedFolders.WriteQwen(Path.Combine(_dir, "probe"))))
        using (var generator = new TextGenerator(probe))
        using (var result = generator.Generate(new[] { probe.EncodePrompt("Hello") }, options))
            free = result.CompletionIds()[0];
        Assume.That(free.Length, Is.GreaterThan(0), "the random model must not stop at once on its own EOS ids");
        // The same weights, with a token of the greedy path (the last one not seen before it) declared a second EOS id:
        // generation ends at its first occurrence.
        int at = Enumerable.Range(0, free.Length).Last(k => !free[..k].Contains(free[k]));
        var stopAt = free[at];
        using var policy = Policy.FromPretrained(PretrainedFolders.WriteQwen(Path.Combine(_dir, "stop"), eosIds: new[] { 458, stopAt }));
        Assert.That(policy.Tokenizer.EosIds, Is.EqualTo(new[] { 458, stopAt }));
        using var stopping = new TextGenerator(policy);
        using var stopped = stopping.Generate(new[] { policy.EncodePrompt("Hello") }, options);
        Assert.That(stopped.CompletionIds()[0], Is.EqualTo(free[..at]), "the stop id itself is not part of the completion");
        Assert.That(stopped.EndedWithStop[0], Is.True);
    }

    [Test]
    public void ALlamaPolicyWithTheLibrarysOwnTokenizerSavesAsAHuggingFaceFolderAndLoadsBack()
    {
        var folder = Path.Combine(_dir, "policy");
        using var policy = new Policy(TinyFamilies.Model("llama-untied"), Ippo.MLNet.Core.Tokenization.PolicyTokenizer.CreateArithmetic());
        policy.Save(folder);
        Assert.That(File.Exists(Path.Combine(folder, "generation_config.json")), Is.True, "Policy.Save of a non-GPT model is SavePretrained");
        using var again = Policy.Load(folder);
        var prompt = policy.EncodePrompt("12+3=");
        Assert.That(again.EncodePrompt("12+3="), Is.EqualTo(prompt));
        Assert.That(Logits(again, prompt), Is.EqualTo(Logits(policy, prompt)), "same weights, same code: bit-identical");
    }
}
