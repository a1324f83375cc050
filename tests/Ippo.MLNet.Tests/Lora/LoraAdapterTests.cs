using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Models.Lora;
using NUnit.Framework;
using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Tests.Lora;

public class LoraAdapterTests
{
    [TestCaseSource(typeof(LoraFixtures), nameof(LoraFixtures.Families))]
    public void FreshAdaptersLeaveTheLogitsIdenticalToTheBaseModels(string family)
    {
        using var scope = NewDisposeScope();
        using var model = LoraFixtures.Model(family);
        var before = LoraFixtures.Logits(model);
        LoraAdapters.Apply(model, new LoraOptions { Rank = 4 });
        var after = LoraFixtures.Logits(model);
        // B starts at zero, so every adapter adds exactly 0.
        Assert.That(LoraFixtures.Same(after, before), Is.True);
    }

    [TestCaseSource(typeof(LoraFixtures), nameof(LoraFixtures.Families))]
    public void OnlyTheAdapterMatricesAreTrainableAndHaveLoraShapes(string family)
    {
        using var model = LoraFixtures.Model(family);
        var linears = model.named_modules().Where(m => m.module is TorchSharp.Modules.Linear).ToDictionary(m => m.name, m => (TorchSharp.Modules.Linear)m.module);
        var lora = LoraAdapters.Apply(model, new LoraOptions { Rank = 3 });

        var trainable = model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).ToList();
        Assert.That(trainable, Has.All.Matches<string>(LoraAdapters.IsAdapterParameter));
        Assert.That(trainable, Has.Count.EqualTo(2 * lora.ModuleNames.Count));
        Assert.That(lora.ModuleNames, Is.EquivalentTo(linears.Keys.Where(k => k != "lm_head")), "all-linear: every Linear but the head");
        var shapes = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);
        foreach (var name in lora.ModuleNames)
        {
            var w = linears[name].weight!.shape;
            Assert.That(shapes[name + ".lora_A.weight"], Is.EqualTo(new[] { 3, w[1] }));
            Assert.That(shapes[name + ".lora_B.weight"], Is.EqualTo(new[] { w[0], 3 }));
        }
    }

    [Test]
    public void NamedTargetsMatchOnTheLastNameSegmentsAndTheHeadOnlyWhenNamed()
    {
        using var model = LoraFixtures.Model("llama");
        var lora = LoraAdapters.Apply(model, new LoraOptions { TargetModules = new[] { "q_proj", "v_proj" } });
        Assert.That(lora.ModuleNames, Is.EqualTo(new[]
        {
            "model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.v_proj", "model.layers.1.self_attn.q_proj", "model.layers.1.self_attn.v_proj",
        }));
        Assert.That(new LoraOptions { TargetModules = new[] { "lm_head" } }.Targets("lm_head"), Is.True);
        Assert.That(new LoraOptions().Targets("lm_head"), Is.False);
    }

    [Test]
    public void AdaptersInitialiseAsPeftUniformAWithinOneOverSqrtFanInAndZeroB()
    {
        using var model = LoraFixtures.Model("llama");
        LoraAdapters.Apply(model, new LoraOptions { Rank = 8, Seed = 3 });
        foreach (var (name, p) in LoraAdapters.AdapterParameters(model))
        {
            if (name.EndsWith("lora_B.weight")) Assert.That(p.abs().max().item<float>(), Is.EqualTo(0f), name);
            else
            {
                double bound = 1 / Math.Sqrt(p.shape[1]);
                Assert.That(p.abs().max().item<float>(), Is.LessThanOrEqualTo(bound).And.GreaterThan(bound / 2), name);
            }
        }
    }

    [Test]
    public void DisablingTheAdaptersGivesTheBaseModelBackExactly()
    {
        using var scope = NewDisposeScope();
        using var model = LoraFixtures.Model("qwen2");
        var baseLogits = LoraFixtures.Logits(model);
        var lora = LoraAdapters.Apply(model, new LoraOptions { Rank = 4 });
        LoraFixtures.PerturbAdapters(model);
        var adapted = LoraFixtures.Logits(model);
        Tensor off;
        using (lora.Disable())
        {
            Assert.That(lora.Enabled, Is.False);
            off = LoraFixtures.Logits(model);
        }
        Assert.That(lora.Enabled, Is.True);
        Assert.That((adapted - baseLogits).abs().max().item<float>(), Is.GreaterThan(1e-3f), "the perturbed adapters change the logits");
        Assert.That(LoraFixtures.Same(off, baseLogits), Is.True);
        Assert.That(LoraFixtures.Same(LoraFixtures.Logits(model), adapted), Is.True, "switched back on after the scope");
    }

    [TestCase(false)]
    [TestCase(true)]
    public void TheAdapterAddsScaleTimesBAx(bool rsLora)
    {
        using var scope = NewDisposeScope();
        using var model = LoraFixtures.Model("llama");
        model.to(ScalarType.Float64);
        var options = new LoraOptions { Rank = 4, Alpha = 6, UseRsLora = rsLora, TargetModules = new[] { "down_proj" } };
        var lora = LoraAdapters.Apply(model, options);
        LoraFixtures.PerturbAdapters(model);
        var layer = (TorchSharp.Modules.Linear)model.named_modules().Single(m => m.name == "model.layers.1.mlp.down_proj").module;
        var state = model.state_dict();
        var a = state["model.layers.1.mlp.down_proj.lora_A.weight"];
        var b = state["model.layers.1.mlp.down_proj.lora_B.weight"];
        var x = randn(new long[] { 3, 40 }, dtype: ScalarType.Float64);
        using var _ = no_grad();
        model.eval();
        var expected = x.matmul(layer.weight!.t()) + layer.bias! + (rsLora ? 6 / Math.Sqrt(4) : 6.0 / 4) * x.matmul(a.t()).matmul(b.t());
        Assert.That(options.Scale, Is.EqualTo(rsLora ? 3.0 : 1.5));
        Assert.That((layer.call(x) - expected).abs().max().item<double>(), Is.LessThan(1e-12));
    }

    [Test]
    public void OptionsOutOfRangeAreRejectedNamingTheOption()
    {
        Assert.That(() => new LoraOptions { Rank = 0 }.Validate(), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("Rank"));
        Assert.That(() => new LoraOptions { Alpha = 0 }.Validate(), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("Alpha"));
        Assert.That(() => new LoraOptions { Dropout = 1 }.Validate(), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("Dropout"));
        Assert.That(() => new LoraOptions { TargetModules = Array.Empty<string>() }.Validate(), Throws.ArgumentException.With.Message.Contains("TargetModules"));
        using var model = LoraFixtures.Model("llama");
        Assert.That(() => LoraAdapters.Apply(model, new LoraOptions { TargetModules = new[] { "c_attn" } }),
            Throws.ArgumentException.With.Message.Contains("matches no Linear layer").And.Message.Contains("q_proj"));
        LoraAdapters.Apply(model, new LoraOptions());
        Assert.That(() => LoraAdapters.Apply(model, new LoraOptions()), Throws.InvalidOperationException);
    }

    [Test]
    public void TwoModelsCanShareOneCopyOfTheFrozenBase()
    {
        using var scope = NewDisposeScope();
        using var policy = LoraFixtures.Model("llama");
        LoraAdapters.Apply(policy, new LoraOptions { Rank = 2 });
        using var critic = ModelDevice.CopyOf(policy);
        int apart = LoraFixtures.DistinctStorages(policy, critic);
        LoraAdapters.ShareBaseWeights(critic, policy);
        int baseTensors = policy.parameters().Count(p => !p.requires_grad);
        int adapterTensors = policy.parameters().Count(p => p.requires_grad);
        Assert.That(apart, Is.EqualTo(2 * (baseTensors + adapterTensors)));
        Assert.That(LoraFixtures.DistinctStorages(policy, critic), Is.EqualTo(baseTensors + 2 * adapterTensors));
        LoraFixtures.PerturbAdapters(policy);
        Assert.That(LoraFixtures.Same(LoraFixtures.Logits(critic), LoraFixtures.Logits(policy)), Is.False, "the adapters stay separate");
        using (policy.Lora!.Disable())
        using (critic.Lora!.Disable())
            Assert.That(LoraFixtures.Same(LoraFixtures.Logits(critic), LoraFixtures.Logits(policy)), Is.True);
    }
}
