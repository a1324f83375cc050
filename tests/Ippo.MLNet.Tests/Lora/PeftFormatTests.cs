using System.Text.Json.Nodes;
using Ippo.MLNet.Core.Checkpoints;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Models.Lora;
using Ippo.MLNet.Tests.Models.Pretrained;
using NUnit.Framework;
using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Tests.Lora;

/// <summary>PEFT's adapter folder (file names, config fields, key names and shapes), round trips, and the merged Hugging Face folder.</summary>
public class PeftFormatTests
{
    private string _dir = "";

    [SetUp]
    public void CreateFolder() => _dir = Directory.CreateTempSubdirectory("ippo-peft-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void SavedAdaptersHavePeftsFileNamesConfigFieldsAndKeyNames()
    {
        using var model = LoraFixtures.Model("llama");
        LoraAdapters.Apply(model, new LoraOptions { Rank = 4, Alpha = 8, Dropout = 0.05, TargetModules = new[] { "v_proj", "q_proj" } });
        var folder = Path.Combine(_dir, "adapter");
        PeftAdapterFiles.Save(model, folder, "org/tiny-llama");

        Assert.That(Directory.GetFiles(folder).Select(Path.GetFileName), Is.EquivalentTo(new[] { "adapter_config.json", "adapter_model.safetensors" }));
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "adapter_config.json")))!.AsObject();
        Assert.That(config["peft_type"]!.GetValue<string>(), Is.EqualTo("LORA"));
        Assert.That(config["task_type"]!.GetValue<string>(), Is.EqualTo("CAUSAL_LM"));
        Assert.That(config["base_model_name_or_path"]!.GetValue<string>(), Is.EqualTo("org/tiny-llama"));
        Assert.That(config["r"]!.GetValue<int>(), Is.EqualTo(4));
        Assert.That(config["lora_alpha"]!.ToJsonString(), Is.EqualTo("8"));
        Assert.That(config["lora_dropout"]!.GetValue<double>(), Is.EqualTo(0.05));
        Assert.That(config["target_modules"]!.AsArray().Select(n => n!.GetValue<string>()), Is.EqualTo(new[] { "q_proj", "v_proj" }));
        Assert.That(config["use_rslora"]!.GetValue<bool>(), Is.False);
        Assert.That(config["bias"]!.GetValue<string>(), Is.EqualTo("none"));

        // hidden 32, 4 query heads and 2 key/value heads of 8: q_proj 32 -> 32, v_proj 32 -> 16.
        var expected = new List<string>();
        foreach (int layer in new[] { 0, 1 })
        {
            expected.Add($"base_model.model.model.layers.{layer}.self_attn.q_proj.lora_A.weight [4, 32]");
            expected.Add($"base_model.model.model.layers.{layer}.self_attn.q_proj.lora_B.weight [32, 4]");
            expected.Add($"base_model.model.model.layers.{layer}.self_attn.v_proj.lora_A.weight [4, 32]");
            expected.Add($"base_model.model.model.layers.{layer}.self_attn.v_proj.lora_B.weight [16, 4]");
        }
        Assert.That(SafetensorsHeader.Shapes(Path.Combine(folder, "adapter_model.safetensors")), Is.EquivalentTo(expected));
        Assert.That(SafetensorsHeader.Read(Path.Combine(folder, "adapter_model.safetensors")).Values.Select(v => v.Dtype).Distinct(), Is.EqualTo(new[] { "F32" }));
    }

    [Test]
    public void AllLinearIsSavedAsTheModuleNamesItMatched()
    {
        using var model = LoraFixtures.Model("llama");
        LoraAdapters.Apply(model, new LoraOptions { UseRsLora = true });
        var folder = Path.Combine(_dir, "all");
        PeftAdapterFiles.Save(model, folder);
        var options = PeftAdapterFiles.ReadOptions(folder);
        Assert.That(options.TargetModules, Is.EqualTo(new[] { "down_proj", "gate_proj", "k_proj", "o_proj", "q_proj", "up_proj", "v_proj" }));
        Assert.That(options.UseRsLora, Is.True);
        Assert.That(options.Rank, Is.EqualTo(8));
        Assert.That(options.Alpha, Is.EqualTo(16));
    }

    [TestCaseSource(typeof(LoraFixtures), nameof(LoraFixtures.Families))]
    public void SavedAndLoadedAdaptersGiveIdenticalLogits(string family)
    {
        using var scope = NewDisposeScope();
        using var model = LoraFixtures.Model(family);
        using var sameBase = ModelDevice.CopyOf(model);
        LoraAdapters.Apply(model, new LoraOptions { Rank = 3, Alpha = 5 });
        LoraFixtures.PerturbAdapters(model);
        var folder = Path.Combine(_dir, family);
        PeftAdapterFiles.Save(model, folder);

        var loaded = PeftAdapterFiles.Load(sameBase, folder);

        Assert.That(loaded.ModuleNames, Is.EqualTo(model.Lora!.ModuleNames));
        Assert.That(LoraFixtures.Same(LoraFixtures.Logits(sameBase), LoraFixtures.Logits(model)), Is.True);
    }

    [TestCaseSource(typeof(LoraFixtures), nameof(LoraFixtures.Families))]
    public void MergedWeightsGiveTheAdaptedLogits(string family)
    {
        using var scope = NewDisposeScope();
        using var model = LoraFixtures.Model(family);
        model.to(ScalarType.Float64);
        var lora = LoraAdapters.Apply(model, new LoraOptions { Rank = 4, Alpha = 12, UseRsLora = family == "gpt2" });
        LoraFixtures.PerturbAdapters(model);
        using var merged = lora.MergedCopy(model);
        Assert.That(merged.Lora, Is.Null);
        var adapted = LoraFixtures.Logits(model);
        // x (W + s B A) against x W + s (x A^T) B^T: the same sums in another order, float64 rounding ~1e-16 per term,
        // a few hundred terms per logit through two layers.
        Assert.That((LoraFixtures.Logits(merged) - adapted).abs().max().item<double>(), Is.LessThan(1e-10));
        using (lora.Disable())
            Assert.That((LoraFixtures.Logits(merged) - LoraFixtures.Logits(model)).abs().max().item<double>(), Is.GreaterThan(1e-3), "the merge changed the weights");
    }

    [Test]
    public void AMergedHuggingFaceFolderLoadsAsAPlainModelWithTheAdaptedLogits()
    {
        using var scope = NewDisposeScope();
        var source = PretrainedFolders.WriteQwen(Path.Combine(_dir, "qwen"));
        var float64 = new PretrainedOptions { Dtype = ScalarType.Float64 };
        using var policy = Policy.FromPretrained(source, float64);
        LoraAdapters.Apply(policy.Model, new LoraOptions { Rank = 4, TargetModules = new[] { "q_proj", "k_proj", "v_proj", "o_proj" } });
        LoraFixtures.PerturbAdapters(policy.Model);
        var folder = Path.Combine(_dir, "merged");

        PeftAdapterFiles.SaveMerged(policy, folder);

        using var plain = Policy.FromPretrained(folder, float64);
        Assert.That(plain.Model.Lora, Is.Null);
        Assert.That(SafetensorsHeader.Read(Path.Combine(folder, "model.safetensors")).Keys, Has.None.Contains("lora"));
        Assert.That((LoraFixtures.Logits(plain.Model) - LoraFixtures.Logits(policy.Model)).abs().max().item<double>(), Is.LessThan(1e-10));
    }

    [TestCase("ippo-gpt")]
    [TestCase("qwen2")]
    [TestCase("llama")]
    public void PolicySaveAndLoadKeepTheAdaptersAndTheirLogits(string family)
    {
        using var scope = NewDisposeScope();
        using var policy = family switch
        {
            "ippo-gpt" => Reliability.ReliabilityFixtures.TinyPolicy(),
            "qwen2" => Policy.FromPretrained(PretrainedFolders.WriteQwen(Path.Combine(_dir, "source"))),
            _ => Policy.FromPretrained(PretrainedFolders.WriteLlama(Path.Combine(_dir, "source"))),
        };
        var lora = LoraAdapters.Apply(policy.Model, new LoraOptions { Rank = 4, Alpha = 12 });
        LoraFixtures.PerturbAdapters(policy.Model);
        var folder = Path.Combine(_dir, "policy");

        policy.Save(folder);

        var files = Directory.GetFiles(folder).Select(Path.GetFileName).ToList();
        Assert.That(files, Does.Contain("config.json").And.Contain("model.safetensors").And.Contain("adapter_config.json").And.Contain("adapter_model.safetensors"));
        Assert.That(SafetensorsHeader.Read(Path.Combine(folder, "model.safetensors")).Keys, Has.None.Contains("lora"), "the base model, unmerged");
        using var loaded = Policy.Load(folder);
        Assert.That(loaded.Model.Lora, Is.Not.Null);
        Assert.That(loaded.Model.Lora!.ModuleNames, Is.EqualTo(lora.ModuleNames));
        Assert.That((loaded.Model.Lora.Options.Rank, loaded.Model.Lora.Options.Alpha), Is.EqualTo((4, 12.0)));
        // The same base weights and adapter matrices, stored as they were (float32 in, float32 out): the same sums.
        Assert.That(LoraFixtures.Same(LoraFixtures.Logits(loaded.Model), LoraFixtures.Logits(policy.Model)), Is.True, "adapted logits");
        using (loaded.Model.Lora.Disable())
        using (lora.Disable())
            Assert.That(LoraFixtures.Same(LoraFixtures.Logits(loaded.Model), LoraFixtures.Logits(policy.Model)), Is.True, "base logits");
        // Loaded as Apply leaves a model: only the adapters train.
        Assert.That(loaded.Model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name), Is.EquivalentTo(LoraAdapters.AdapterParameters(loaded.Model).Select(p => p.Name)));
    }

    [Test]
    public void PeftAdapterFilesBesideTheirBaseModelLoadWithIt()
    {
        using var scope = NewDisposeScope();
        var source = PretrainedFolders.WriteQwen(Path.Combine(_dir, "qwen"));
        using var adapted = Policy.FromPretrained(source);
        LoraAdapters.Apply(adapted.Model, new LoraOptions { Rank = 2, TargetModules = new[] { "q_proj", "v_proj" } });
        LoraFixtures.PerturbAdapters(adapted.Model);
        var adapterFolder = Path.Combine(_dir, "adapter");
        PeftAdapterFiles.Save(adapted.Model, adapterFolder, "org/tiny-qwen");
        foreach (var file in new[] { PeftAdapterFiles.ConfigFile, PeftAdapterFiles.WeightsFile })
            File.Copy(Path.Combine(adapterFolder, file), Path.Combine(source, file));

        using var loaded = Policy.Load(source);

        Assert.That(loaded.Model.Lora!.ModuleNames, Is.EqualTo(adapted.Model.Lora!.ModuleNames));
        Assert.That(LoraFixtures.Same(LoraFixtures.Logits(loaded.Model), LoraFixtures.Logits(adapted.Model)), Is.True);
        using (var plain = Policy.FromPretrained(source))
            Assert.That(plain.Model.Lora, Is.Null, "FromPretrained reads the base model alone");
    }

    [Test]
    public void AnAdapterFileThatDoesNotFitTheSavedPolicyFailsLoadNamingTheTensor()
    {
        using var scope = NewDisposeScope();
        using var policy = Reliability.ReliabilityFixtures.TinyPolicy();
        LoraAdapters.Apply(policy.Model, new LoraOptions { Rank = 4 });
        var folder = Path.Combine(_dir, "policy");
        policy.Save(folder);
        var configPath = Path.Combine(folder, PeftAdapterFiles.ConfigFile);
        var config = JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
        config["r"] = 2;
        File.WriteAllText(configPath, config.ToJsonString());
        Assert.That(() => Policy.Load(folder), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("lora_A.weight").And.Message.Contains(PeftAdapterFiles.WeightsFile));
    }

    [Test]
    public void AFileThatDoesNotFitTheConfigIsRejectedNamingTheTensor()
    {
        using var model = LoraFixtures.Model("llama");
        LoraAdapters.Apply(model, new LoraOptions { Rank = 4, TargetModules = new[] { "q_proj" } });
        var folder = Path.Combine(_dir, "bad");
        PeftAdapterFiles.Save(model, folder);
        var configPath = Path.Combine(folder, "adapter_config.json");
        var config = JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
        config["r"] = 2;
        File.WriteAllText(configPath, config.ToJsonString());
        using var other = LoraFixtures.Model("llama");
        Assert.That(() => PeftAdapterFiles.Load(other, folder),
            Throws.InstanceOf<InvalidDataException>().With.Message.Contains("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight").And.Message.Contains("[4, 32]"));
        config["peft_type"] = "IA3";
        File.WriteAllText(configPath, config.ToJsonString());
        Assert.That(() => PeftAdapterFiles.ReadOptions(folder), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("peft_type"));
    }
}
