using Ippo.MLNet.Core.Checkpoints;
using Ippo.MLNet.Core.Models;
using NUnit.Framework;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Ippo.MLNet.Tests.Models;

public class CheckpointTests
{
    private string _dir = "";

    [SetUp]
    public void CreateFolder() => _dir = Directory.CreateTempSubdirectory("ippo-ckpt-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_dir, recursive: true);

    private static float[] Logits(CausalLanguageModel model)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        model.eval();
        var tokens = tensor(new long[] { 0, 3, 4, 5, 6, 7, 8, 9 }, new long[] { 2, 4 });
        var mask = tensor(new float[] { 0, 1, 1, 1, 1, 1, 1, 1 }, new long[] { 2, 4 });
        return model.Forward(tokens, mask).data<float>().ToArray();
    }

    [TestCase(true)]
    [TestCase(false)]
    public void SaveThenLoadGivesIdenticalLogits(bool tied)
    {
        using var model = TinyModels.Model(seed: 21, tied: tied);
        var folder = Path.Combine(_dir, "policy");
        PolicyCheckpoint.Save(model, folder);
        using var loaded = PolicyCheckpoint.Load(folder);
        Assert.That(loaded.Config, Is.EqualTo(model.Config));
        Assert.That(Logits(loaded), Is.EqualTo(Logits(model)));
        using var other = TinyModels.Model(seed: 22, tied: tied);
        Assert.That(Logits(other), Is.Not.EqualTo(Logits(model)), "a different init seed gives different weights");
    }

    [Test]
    public void TheSameInitSeedGivesTheSameWeights()
    {
        using var a = TinyModels.Model(seed: 25);
        using var b = TinyModels.Model(seed: 25);
        Assert.That(Logits(a), Is.EqualTo(Logits(b)));
    }

    [Test]
    public void TensorNamesFollowNanoGpt()
    {
        using var model = TinyModels.Model(tied: false);
        var names = model.state_dict().Keys.ToList();
        Assert.That(names, Does.Contain("transformer.wte.weight").And.Contain("transformer.wpe.weight")
            .And.Contain("transformer.h.0.attn.c_attn.weight").And.Contain("transformer.h.1.mlp.c_proj.bias")
            .And.Contain("transformer.h.0.ln_1.weight").And.Contain("transformer.ln_f.bias").And.Contain("lm_head.weight"));
        using var tied = TinyModels.Model(tied: true);
        Assert.That(tied.state_dict().Keys, Does.Not.Contain("lm_head.weight"));
    }

    [Test]
    public void AMissingTensorIsNamed()
    {
        using var model = TinyModels.Model();
        var folder = Path.Combine(_dir, "policy");
        PolicyCheckpoint.Save(model, folder);
        var weights = Path.Combine(folder, PolicyCheckpoint.WeightsFile);
        var state = Safetensors.LoadStateDict(weights);
        state.Remove("transformer.h.1.attn.c_proj.weight");
        Safetensors.SaveStateDict(weights, state);
        var error = Assert.Throws<InvalidDataException>(() => PolicyCheckpoint.Load(folder))!;
        Assert.That(error.Message, Does.Contain("transformer.h.1.attn.c_proj.weight"));
    }

    [Test]
    public void AWrongShapeIsNamedWithBothShapes()
    {
        using var model = TinyModels.Model();
        var folder = Path.Combine(_dir, "policy");
        PolicyCheckpoint.Save(model, folder);
        var weights = Path.Combine(folder, PolicyCheckpoint.WeightsFile);
        var state = Safetensors.LoadStateDict(weights);
        state["transformer.wpe.weight"] = zeros(10, 32);
        Safetensors.SaveStateDict(weights, state);
        var error = Assert.Throws<InvalidDataException>(() => PolicyCheckpoint.Load(folder))!;
        Assert.That(error.Message, Does.Contain("transformer.wpe.weight").And.Contain("[10, 32]").And.Contain("[48, 32]"));
    }

    [Test]
    public void ACorruptWeightsFileIsNamed()
    {
        using var model = TinyModels.Model();
        var folder = Path.Combine(_dir, "policy");
        PolicyCheckpoint.Save(model, folder);
        var weights = Path.Combine(folder, PolicyCheckpoint.WeightsFile);
        File.WriteAllBytes(weights, File.ReadAllBytes(weights).Take(40).ToArray());
        var error = Assert.Throws<InvalidDataException>(() => PolicyCheckpoint.Load(folder))!;
        Assert.That(error.Message, Does.Contain(weights));
    }

    [Test]
    public void TheConfigCarriesItsModelTypeAndAConfigWithoutOneIsTheBuiltInGpt()
    {
        using var model = TinyModels.Model(seed: 26);
        var folder = Path.Combine(_dir, "policy");
        PolicyCheckpoint.Save(model, folder);
        var path = Path.Combine(folder, PolicyCheckpoint.ConfigFile);
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        Assert.That(json["model_type"]!.GetValue<string>(), Is.EqualTo(GptArchitecture.ModelType));

        json.Remove("model_type");
        File.WriteAllText(path, json.ToJsonString());
        using var old = PolicyCheckpoint.Load(folder);
        Assert.That(old, Is.TypeOf<GptLanguageModel>(), "folders written before model_type existed still load");
        Assert.That(Logits(old), Is.EqualTo(Logits(model)));
    }

    [Test]
    public void AnUnknownModelTypeIsNamedWithTheSupportedOnes()
    {
        using var model = TinyModels.Model();
        var folder = Path.Combine(_dir, "policy");
        PolicyCheckpoint.Save(model, folder);
        var path = Path.Combine(folder, PolicyCheckpoint.ConfigFile);
        File.WriteAllText(path, File.ReadAllText(path).Replace($"\"{GptArchitecture.ModelType}\"", "\"no-such-lm\""));
        var error = Assert.Throws<NotSupportedException>(() => PolicyCheckpoint.Load(folder))!;
        Assert.That(error.Message, Does.Contain("no-such-lm").And.Contain(GptArchitecture.ModelType).And.Contain(path));
    }

    [Test]
    public void AFolderWithoutConfigIsNotACheckpoint()
    {
        var error = Assert.Throws<FileNotFoundException>(() => PolicyCheckpoint.Load(_dir))!;
        Assert.That(error.Message, Does.Contain(PolicyCheckpoint.ConfigFile));
    }

    [Test]
    public void AFailedSaveLeavesThePreviousCheckpointIntact()
    {
        using var model = TinyModels.Model(seed: 23);
        var folder = Path.Combine(_dir, "policy");
        PolicyCheckpoint.Save(model, folder);
        var before = Logits(model);
        using var other = TinyModels.Model(seed: 24);
        Assert.Throws<IOException>(() => PolicyCheckpoint.Save(other, folder, _ => throw new IOException("disk full")));
        using var loaded = PolicyCheckpoint.Load(folder);
        Assert.That(Logits(loaded), Is.EqualTo(before));
        Assert.That(Directory.GetDirectories(_dir), Has.Length.EqualTo(1), "no temporary folder is left behind");
    }
}
