using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ippo.MLNet.Core.Runtime;

/// <summary>
/// Process-wide native settings that must be in place before libtorch loads. libtorch-cpu for Linux ships GNU
/// libgomp, which reads <c>OMP_WAIT_POLICY</c> and <c>GOMP_SPINCOUNT</c> once, when it is loaded (the first torch
/// call). Its default makes an idle worker thread spin about 300,000 times before it sleeps; next to any other busy
/// process those spins steal the time slices the working threads need (issue 18 measured a step 24x slower next to a
/// niced PyTorch job).
/// The library therefore sets a bounded spin count (<see cref="DefaultSpinCount"/>) when this assembly loads, unless
/// the user set <c>OMP_WAIT_POLICY</c> or <c>GOMP_SPINCOUNT</c> (never overridden) or <c>IPPO_OPENMP_DEFAULTS=0</c>.
/// </summary>
public static class IppoRuntime
{
    /// <summary>Environment variable that turns the library's OpenMP default off when set to <c>0</c>.</summary>
    public const string DefaultsSwitchVariable = "IPPO_OPENMP_DEFAULTS";

    /// <summary>The spin count the library sets by default (libgomp's own default is 300,000; PASSIVE is 0).</summary>
    public const long DefaultSpinCount = 1_000;

    private const string SpinCountVariable = "GOMP_SPINCOUNT";
    private const string WaitPolicyVariable = "OMP_WAIT_POLICY";
    private static readonly object Gate = new();
    private static bool _librarySetSpinCount;

    /// <summary>What the last call (or the automatic one at assembly load) did.</summary>
    public static OpenMpSpinOutcome LastOutcome { get; private set; } = OpenMpSpinOutcome.UnsupportedPlatform;

#pragma warning disable CA2255 // Deliberate: the setting only works if it is in place before TorchSharp loads libtorch.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void ApplyDefaultsAtLoad() => ConfigureOpenMpSpinCount(DefaultSpinCount);

    /// <summary>
    /// Sets libgomp's spin count (<c>GOMP_SPINCOUNT</c>) for this process. Call it before the first torch call; it
    /// replaces the library's own default but never a value the user set in the environment.
    /// </summary>
    /// <param name="spinCount">Spins before an idle OpenMP thread sleeps: 0 (sleep at once, like PASSIVE) to
    /// 30,000,000,000 (about libgomp's ACTIVE). Default <see cref="DefaultSpinCount"/>.</param>
    /// <returns>Whether the setting was applied, and if not, why.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The spin count is outside 0..30,000,000,000.</exception>
    public static OpenMpSpinOutcome ConfigureOpenMpSpinCount(long spinCount)
    {
        const long maximum = 30_000_000_000;
        if (spinCount is < 0 or > maximum)
            throw new ArgumentOutOfRangeException(nameof(spinCount), spinCount, $"spinCount must be in 0..{maximum:N0}.");
        lock (Gate)
        {
            LastOutcome = Decide(
                RuntimeInformation.IsOSPlatform(OSPlatform.Linux),
                RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? NativeEnvironment.Get : _ => null,
                _librarySetSpinCount,
                () => NativeEnvironment.IsLibraryLoaded("libgomp"));
            if (LastOutcome == OpenMpSpinOutcome.Applied)
            {
                NativeEnvironment.Set(SpinCountVariable, spinCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
                _librarySetSpinCount = true;
            }
            return LastOutcome;
        }
    }

    /// <summary>The decision alone, over an environment reader, so that it can be tested without a fresh process.</summary>
    internal static OpenMpSpinOutcome Decide(bool isLinux, Func<string, string?> environment, bool librarySetSpinCount, Func<bool> runtimeLoaded)
    {
        if (!isLinux) return OpenMpSpinOutcome.UnsupportedPlatform;
        if (environment(DefaultsSwitchVariable) == "0") return OpenMpSpinOutcome.DisabledByEnvironment;
        bool userSet = environment(WaitPolicyVariable) is not null || (environment(SpinCountVariable) is not null && !librarySetSpinCount);
        if (userSet) return OpenMpSpinOutcome.UserSettingKept;
        return runtimeLoaded() ? OpenMpSpinOutcome.TooLateRuntimeLoaded : OpenMpSpinOutcome.Applied;
    }
}
