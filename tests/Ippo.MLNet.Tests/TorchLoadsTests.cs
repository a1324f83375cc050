using NUnit.Framework;
using static TorchSharp.torch;

namespace Ippo.MLNet.Tests;

public class TorchLoadsTests
{
    [Test]
    public void NativeTorchLoadsAndComputes()
    {
        using var t = arange(4, dtype: ScalarType.Float32);
        Assert.That(t.sum().item<float>(), Is.EqualTo(6f));
    }
}
