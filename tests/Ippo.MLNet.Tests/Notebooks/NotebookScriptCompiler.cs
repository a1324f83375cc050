using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Ippo.MLNet.Tests.Notebooks;

/// <summary>
/// Compiles notebook cells the way the Polyglot C# kernel runs them: each cell is one script submission that sees the
/// variables, types and using directives of the cells before it. Nothing is emitted or run.
/// </summary>
internal static class NotebookScriptCompiler
{
    private static readonly CSharpParseOptions Script = new(LanguageVersion.Latest, kind: SourceCodeKind.Script);
    private static readonly Lazy<IReadOnlyList<MetadataReference>> References = new(LoadReferences);

    /// <summary>
    /// The compile errors of C# cells given with their 1-based cell numbers, in cell order. A cell with errors is
    /// skipped by the cells after it, which then report whatever they used from it.
    /// </summary>
    public static IReadOnlyList<CellError> Compile(IEnumerable<(int Cell, string Code)> cells)
    {
        var errors = new List<CellError>();
        CSharpCompilation? previous = null;
        foreach (var (cell, code) in cells)
        {
            var tree = CSharpSyntaxTree.ParseText(WithoutDirectives(code), Script);
            var compilation = CSharpCompilation.CreateScriptCompilation($"Cell{cell}", tree, References.Value,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary), previous);
            var cellErrors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            errors.AddRange(cellErrors.Select(d => new CellError(cell, d.ToString())));
            // Like the kernel, a failed cell leaves no state behind; Roslyn cannot chain onto it anyway.
            if (cellErrors.Count == 0) previous = compilation;
        }
        return errors;
    }

    /// <summary>
    /// Blanks the kernel's own lines (<c>#r</c> references, <c>#!</c> magic commands), which are not C#; blank rather
    /// than removed, so diagnostics keep the cell's line numbers.
    /// </summary>
    public static string WithoutDirectives(string code) =>
        string.Join('\n', code.Split('\n').Select(line =>
            line.TrimStart() is var t && (t.StartsWith("#r ", StringComparison.Ordinal) || t.StartsWith("#!", StringComparison.Ordinal)) ? "" : line));

    // The test process already references what the notebooks load: the framework (trusted platform assemblies),
    // Ippo.MLNet and its packages (the test output folder). The first file of each name wins.
    private static IReadOnlyList<MetadataReference> LoadReferences()
    {
        var platform = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var output = Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll");
        return platform.Concat(output)
            .Where(IsManagedAssembly)
            .DistinctBy(p => Path.GetFileName(p), StringComparer.OrdinalIgnoreCase)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToList();
    }

    private static bool IsManagedAssembly(string path)
    {
        try
        {
            AssemblyName.GetAssemblyName(path);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
        catch (FileNotFoundException)
        {
            return false;
        }
    }
}
