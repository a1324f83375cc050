namespace Ippo.MLNet.Core.Checkpoints;

/// <summary>
/// Writes a folder all at once: the content goes to a sibling temporary folder, which then replaces the target.
/// A crash while writing leaves the previous folder intact (at worst renamed to a ".old" sibling that the next
/// write cleans up) and never a half-written target.
/// </summary>
public static class AtomicFolder
{
    /// <summary>Runs <paramref name="write"/> on an empty temporary folder, then moves it to <paramref name="folder"/>.</summary>
    public static void Write(string folder, Action<string> write)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var full = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar);
        var parent = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{folder}' has no parent folder.", nameof(folder));
        Directory.CreateDirectory(parent);
        var temp = full + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        var old = full + ".old";
        Directory.CreateDirectory(temp);
        try
        {
            write(temp);
        }
        catch
        {
            Directory.Delete(temp, recursive: true);
            throw;
        }
        if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
        if (Directory.Exists(full)) Directory.Move(full, old);
        Directory.Move(temp, full);
        if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
    }
}
