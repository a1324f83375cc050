using System.Runtime.InteropServices;

namespace Ippo.MLNet.Core.Runtime;

/// <summary>
/// The C library's process environment, which native code (libgomp) reads with <c>getenv</c>. On Linux .NET keeps
/// its own copy: <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not reach native code.
/// </summary>
internal static class NativeEnvironment
{
    // On Unix, DllImport marshals string arguments as UTF-8 C strings.
    [DllImport("libc", EntryPoint = "setenv", SetLastError = true)]
    private static extern int SetEnv(string name, string value, int overwrite);

    [DllImport("libc", EntryPoint = "getenv")]
    private static extern IntPtr GetEnv(string name);

    /// <summary>The native value of <paramref name="name"/>, or null when it is not set.</summary>
    internal static string? Get(string name)
    {
        var value = GetEnv(name);
        return value == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(value);
    }

    /// <summary>Sets <paramref name="name"/> in the native environment and in .NET's copy.</summary>
    internal static void Set(string name, string value)
    {
        if (SetEnv(name, value, 1) != 0)
            throw new InvalidOperationException($"setenv({name}={value}) failed with errno {Marshal.GetLastPInvokeError()}.");
        Environment.SetEnvironmentVariable(name, value);
    }

    /// <summary>True when a shared library whose file name contains <paramref name="fileNamePart"/> is mapped into this process.</summary>
    internal static bool IsLibraryLoaded(string fileNamePart)
    {
        const string maps = "/proc/self/maps";
        if (!File.Exists(maps)) return false;
        foreach (var line in File.ReadLines(maps))
        {
            var slash = line.LastIndexOf('/');
            if (slash >= 0 && line.AsSpan(slash + 1).Contains(fileNamePart, StringComparison.Ordinal)) return true;
        }
        return false;
    }
}
