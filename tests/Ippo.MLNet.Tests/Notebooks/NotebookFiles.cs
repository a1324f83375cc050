using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Documents.Jupyter;
using NUnit.Framework;

namespace Ippo.MLNet.Tests.Notebooks;

/// <summary>The example notebooks of the repository checkout the tests run from.</summary>
internal static class NotebookFiles
{
    /// <summary>examples/notebooks under the folder holding Ippo.MLNet.sln, found by walking up from the test output folder.</summary>
    public static string Folder => Path.Combine(RepositoryRoot(), "examples", "notebooks");

    /// <summary>The file names of every notebook in <see cref="Folder"/>, sorted.</summary>
    public static IReadOnlyList<string> Names() =>
        Directory.Exists(Folder)
            ? Directory.EnumerateFiles(Folder, "*.ipynb").Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal).ToList()
            : Array.Empty<string>();

    /// <summary>Parses a notebook of <see cref="Folder"/> as the Polyglot Notebooks extension does.</summary>
    public static InteractiveDocument Read(string name) => Notebook.Parse(File.ReadAllText(Path.Combine(Folder, name)));

    /// <summary>The default kernel a Polyglot notebook declares (metadata polyglot_notebook.kernelInfo.defaultKernelName), or null.</summary>
    public static string? DefaultKernelName(InteractiveDocument document) =>
        document.Metadata.TryGetValue("polyglot_notebook", out var polyglot) && polyglot is IDictionary<string, object> p
        && p.TryGetValue("kernelInfo", out var info) && info is IDictionary<string, object> i
        && i.TryGetValue("defaultKernelName", out var name) ? name as string : null;

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Ippo.MLNet.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"No folder holding Ippo.MLNet.sln above {TestContext.CurrentContext.TestDirectory}.");
    }
}
