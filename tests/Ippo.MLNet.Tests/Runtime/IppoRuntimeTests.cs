using Ippo.MLNet.Core.Runtime;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Ippo.MLNet.Tests.Runtime;

public class IppoRuntimeTests
{
    private static Func<string, string?> Environment(params (string Name, string Value)[] set) =>
        name => set.FirstOrDefault(v => v.Name == name).Value;

    private static readonly Func<bool> NotLoaded = () => false;

    [Test]
    public void TheDefaultIsAppliedOnlyWhenTheUserSetNothingAndLibgompIsNotLoadedYet()
    {
        Assert.That(IppoRuntime.Decide(true, Environment(), false, NotLoaded), Is.EqualTo(OpenMpSpinOutcome.Applied));
        Assert.That(IppoRuntime.Decide(true, Environment(), false, () => true), Is.EqualTo(OpenMpSpinOutcome.TooLateRuntimeLoaded));
        Assert.That(IppoRuntime.Decide(true, Environment(("OMP_WAIT_POLICY", "ACTIVE")), false, NotLoaded), Is.EqualTo(OpenMpSpinOutcome.UserSettingKept));
        Assert.That(IppoRuntime.Decide(true, Environment(("GOMP_SPINCOUNT", "300000")), false, NotLoaded), Is.EqualTo(OpenMpSpinOutcome.UserSettingKept));
        Assert.That(IppoRuntime.Decide(true, Environment(("IPPO_OPENMP_DEFAULTS", "0")), false, NotLoaded), Is.EqualTo(OpenMpSpinOutcome.DisabledByEnvironment));
        Assert.That(IppoRuntime.Decide(false, Environment(), false, NotLoaded), Is.EqualTo(OpenMpSpinOutcome.UnsupportedPlatform));
    }

    [Test]
    public void AnExplicitCallMayReplaceTheLibrarysOwnValueButNotTheUsers()
    {
        // GOMP_SPINCOUNT present because the library set it at load: an explicit call may still change it.
        Assert.That(IppoRuntime.Decide(true, Environment(("GOMP_SPINCOUNT", "10000")), true, NotLoaded), Is.EqualTo(OpenMpSpinOutcome.Applied));
        Assert.That(IppoRuntime.Decide(true, Environment(("GOMP_SPINCOUNT", "10000"), ("OMP_WAIT_POLICY", "PASSIVE")), true, NotLoaded), Is.EqualTo(OpenMpSpinOutcome.UserSettingKept));
    }

    [Test]
    public void OnceTorchIsLoadedTheSettingIsRefusedAndTheNativeEnvironmentIsLeftAlone()
    {
        using (var scope = NewDisposeScope()) ones(2).sum().item<float>();
        var before = NativeEnvironment.Get("GOMP_SPINCOUNT");

        var outcome = IppoRuntime.ConfigureOpenMpSpinCount(1234);

        Assert.That(outcome, OperatingSystem.IsLinux() ? Is.AnyOf(OpenMpSpinOutcome.TooLateRuntimeLoaded, OpenMpSpinOutcome.UserSettingKept, OpenMpSpinOutcome.DisabledByEnvironment) : Is.EqualTo(OpenMpSpinOutcome.UnsupportedPlatform));
        Assert.That(IppoRuntime.LastOutcome, Is.EqualTo(outcome));
        Assert.That(NativeEnvironment.Get("GOMP_SPINCOUNT"), Is.EqualTo(before));
        if (OperatingSystem.IsLinux()) Assert.That(NativeEnvironment.IsLibraryLoaded("libgomp"), Is.True, "libtorch-cpu for Linux loads GNU libgomp");
    }

    [Test]
    public void ASpinCountOutsideItsRangeIsRefusedByName()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => IppoRuntime.ConfigureOpenMpSpinCount(-1))!;
        Assert.That(error.ParamName, Is.EqualTo("spinCount"));
        Assert.That(error.Message, Does.Contain("0..30,000,000,000"));
    }

    [Test]
    public void NativeSetenvReachesGetenvWhileDotNetsOwnCopyDoesNot()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("The native environment is read through libc on Linux only.");
        var name = $"IPPO_TEST_{Guid.NewGuid():N}";
        System.Environment.SetEnvironmentVariable(name + "_MANAGED", "managed");
        Assert.That(NativeEnvironment.Get(name + "_MANAGED"), Is.Null, ".NET's Environment.SetEnvironmentVariable stays in .NET on Linux");

        NativeEnvironment.Set(name, "native");

        Assert.That(NativeEnvironment.Get(name), Is.EqualTo("native"));
        Assert.That(System.Environment.GetEnvironmentVariable(name), Is.EqualTo("native"));
    }
}
