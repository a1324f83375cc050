using Ippo.MLNet.Core.Runtime;
using NUnit.Framework;

namespace Ippo.MLNet.Tests;

/// <summary>
/// Runs before any test touches TorchSharp, so the library's OpenMP default (a bounded spin count) is in place when
/// libtorch loads, whichever test comes first; CI machines and developer machines are shared.
/// </summary>
[SetUpFixture]
public sealed class OpenMpSetUp
{
    [OneTimeSetUp]
    public void ApplyLibraryDefault() => TestContext.Progress.WriteLine($"OpenMP spin setting: {IppoRuntime.ConfigureOpenMpSpinCount(IppoRuntime.DefaultSpinCount)}");
}
