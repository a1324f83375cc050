using Ippo.MLNet.Core.Models;
using NUnit.Framework;
using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Tests.Models;

public class DeviceAndCriticTests
{
    [Test]
    public void NoGpuIdMeansTheCpu() => Assert.That(DeviceSelector.Resolve(null, fallbackToCpu: false).type, Is.EqualTo(DeviceType.CPU));

    [Test]
    public void AGpuWithoutTheCudaNativeIsAClearErrorOrAnAnnouncedFallback()
    {
        if (cuda.is_available()) Assert.Ignore("CUDA is available on this machine; the error path cannot be exercised.");
        var error = Assert.Throws<InvalidOperationException>(() => DeviceSelector.Resolve(0, fallbackToCpu: false))!;
        Assert.That(error.Message, Does.Contain("TorchSharp-cuda-linux"));
        string? warning = null;
        var device = DeviceSelector.Resolve(0, fallbackToCpu: true, w => warning = w);
        Assert.That(device.type, Is.EqualTo(DeviceType.CPU));
        Assert.That(warning, Does.Contain("Falling back to the CPU"));
    }

    [Test]
    public void ACriticCopiedFromThePolicyReadsTheSameFeatures()
    {
        using var policy = TinyModels.Model(seed: 31);
        using var critic = CriticModel.FromPolicy(policy);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        policy.eval();
        critic.eval();
        var tokens = tensor(new long[] { 3, 4, 5, 6 }, new long[] { 1, 4 });
        var mask = ones(1, 4);
        var policyHidden = policy.Hidden(tokens, mask).data<float>().ToArray();
        var hidden = critic.Model.Hidden(tokens, mask).data<float>().ToArray();
        Assert.That(hidden, Is.EqualTo(policyHidden));
        var values = critic.Forward(tokens, mask);
        Assert.That(values.shape, Is.EqualTo(new long[] { 1, 4 }));
        Assert.That(values.abs().max().item<float>(), Is.EqualTo(0f), "the value head starts at zero output");
        foreach (var p in critic.Model.parameters()) p.add_(1);
        Assert.That(policy.Hidden(tokens, mask).data<float>().ToArray(), Is.EqualTo(policyHidden), "the critic owns its weights: changing them leaves the policy alone");
    }

    [Test]
    public void TheCriticsTensorsAreTheModelsNamesUnderModelAndTheValueHead()
    {
        using var policy = TinyModels.Model(seed: 31, tied: false);
        using var critic = CriticModel.FromPolicy(policy);
        var expected = policy.state_dict().Keys.Select(k => "model." + k).Append("value_head.summary.weight").Append("value_head.summary.bias");
        Assert.That(critic.state_dict().Keys, Is.EquivalentTo(expected));
    }
}
