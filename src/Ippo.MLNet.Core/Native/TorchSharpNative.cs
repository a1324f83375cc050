using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Native;

/// <summary>
/// Points TorchSharp at the native library of one of this repository's build outputs, for hosts that do not get the
/// build's native fix: a notebook kernel loads TorchSharp's managed assembly from the NuGet cache, whose
/// <c>libLibTorchSharp.so</c> needs GCC 13's libstdc++ (GLIBCXX_3.4.32), which Debian 12 and Ubuntu 22.04 lack. The
/// copy that <c>build/TorchSharpNativeFix.targets</c> wrote into a runnable project's output loads there.
/// </summary>
public static class TorchSharpNative
{
    /// <summary>The name TorchSharp's P/Invokes use for its native library.</summary>
    public const string LibraryName = "LibTorchSharp";

    private static readonly object Gate = new();
    private static IntPtr _handle;

    /// <summary>
    /// Loads the native TorchSharp library found under <paramref name="buildOutput"/> (a runnable project's
    /// <c>bin/Release/net10.0</c>, e.g. the quickstart's) and makes TorchSharp's own lookups of
    /// <see cref="LibraryName"/> return it; its libtorch dependencies load from beside it. Call before the first torch
    /// call; calling again, or after TorchSharp has loaded that same file, is harmless. Returns the file loaded, or null
    /// off Linux, where the NuGet natives load as they are.
    /// </summary>
    /// <exception cref="FileNotFoundException">The folder holds no native TorchSharp library (build the repository first).</exception>
    public static string? UseBuildOutput(string buildOutput)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(buildOutput);
        if (!OperatingSystem.IsLinux()) return null;
        var file = Find(buildOutput) ?? throw new FileNotFoundException(
            $"No libLibTorchSharp.so under '{Path.GetFullPath(buildOutput)}' (runtimes/linux-*/native/ or the folder itself). " +
            "Build the repository first, from its root: dotnet build -c Release.");
        lock (Gate)
        {
            var handle = NativeLibrary.Load(file);
            if (_handle == IntPtr.Zero)
            {
                _handle = handle;
                try
                {
                    NativeLibrary.SetDllImportResolver(typeof(Tensor).Assembly,
                        (name, _, _) => name == LibraryName || name == "lib" + LibraryName ? _handle : IntPtr.Zero);
                }
                catch (InvalidOperationException)
                {
                    // Someone else owns TorchSharp's resolver; the library is loaded under its soname, which a by-name
                    // lookup then finds.
                }
            }
            return file;
        }
    }

    private static string? Find(string folder)
    {
        if (!Directory.Exists(folder)) return null;
        var arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        var candidates = new[]
        {
            Path.Combine(folder, "runtimes", $"linux-{arch}", "native", "libLibTorchSharp.so"),
            Path.Combine(folder, "libLibTorchSharp.so"),
        };
        return candidates.Select(Path.GetFullPath).FirstOrDefault(File.Exists);
    }
}
