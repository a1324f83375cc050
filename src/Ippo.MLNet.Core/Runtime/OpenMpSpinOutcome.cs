namespace Ippo.MLNet.Core.Runtime;

/// <summary>What <see cref="IppoRuntime.ConfigureOpenMpSpinCount"/> did with libtorch's OpenMP wait setting.</summary>
public enum OpenMpSpinOutcome
{
    /// <summary>The library set <c>GOMP_SPINCOUNT</c> in the native environment before libtorch's OpenMP runtime loaded.</summary>
    Applied,

    /// <summary>The user's own <c>OMP_WAIT_POLICY</c> or <c>GOMP_SPINCOUNT</c> was found in the environment and kept as it is.</summary>
    UserSettingKept,

    /// <summary><c>IPPO_OPENMP_DEFAULTS=0</c> is set: the library leaves the OpenMP environment alone (libgomp's own default).</summary>
    DisabledByEnvironment,

    /// <summary>libtorch's OpenMP runtime was already loaded, so it had read its settings and a change would have no effect.</summary>
    TooLateRuntimeLoaded,

    /// <summary>Not Linux: the libtorch builds for other systems use another OpenMP runtime, which the library does not tune.</summary>
    UnsupportedPlatform,
}
