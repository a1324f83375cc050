using System.Reflection;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;

namespace Ippo.MLNet.Tests.Notebooks;

/// <summary>
/// Executes notebook cells in order as chained C# script submissions, the way the Polyglot C# kernel runs them: each
/// cell sees the variables, types and usings of the cells before it. Kernel directives are blanked
/// (<see cref="NotebookScriptCompiler.WithoutDirectives"/>); the assemblies they would load are the test process's own.
/// </summary>
internal static class NotebookScriptRunner
{
    private static readonly Lazy<ScriptOptions> Options = new(() => ScriptOptions.Default
        .WithReferences(LoadedAssemblies())
        .WithLanguageVersion(Microsoft.CodeAnalysis.CSharp.LanguageVersion.Latest)
        .WithEmitDebugInformation(false));

    /// <summary>The state after the last cell, and everything the cells wrote to the console.</summary>
    public sealed record Result(ScriptState<object> State, string Output)
    {
        /// <summary>The value of a top-level variable some cell declared (the last declaration of that name).</summary>
        public T Variable<T>(string name) =>
            State.GetVariable(name) is { } v ? (T)v.Value : throw new KeyNotFoundException($"No notebook variable '{name}'.");
    }

    /// <exception cref="NotebookCellException">A cell did not compile or threw; the message names it.</exception>
    public static Result Run(IEnumerable<(int Cell, string Code)> cells)
    {
        var output = new StringWriter();
        var console = Console.Out;
        Console.SetOut(output);
        try
        {
            ScriptState<object>? state = null;
            foreach (var (cell, code) in cells)
            {
                var text = NotebookScriptCompiler.WithoutDirectives(code);
                try
                {
                    state = state is null
                        ? CSharpScript.RunAsync(text, Options.Value).GetAwaiter().GetResult()
                        : state.ContinueWithAsync(text, Options.Value).GetAwaiter().GetResult();
                }
                catch (CompilationErrorException e)
                {
                    throw new NotebookCellException(cell, "does not compile: " + string.Join("; ", e.Diagnostics), output.ToString(), e);
                }
                catch (Exception e)
                {
                    throw new NotebookCellException(cell, $"threw {e.GetType().Name}: {e.Message}", output.ToString(), e);
                }
            }
            return new Result(state ?? throw new ArgumentException("No cells to run.", nameof(cells)), output.ToString());
        }
        finally
        {
            Console.SetOut(console);
        }
    }

    // Assembly objects, not files, so that the cells bind to the very assemblies (and TorchSharp's loaded native) of
    // this process. Every managed file of the test output is loaded first, as the kernel's #r lines would.
    private static IEnumerable<Assembly> LoadedAssemblies()
    {
        foreach (var file in Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll"))
        {
            try
            {
                System.Runtime.Loader.AssemblyLoadContext.Default.LoadFromAssemblyName(AssemblyName.GetAssemblyName(file));
            }
            catch (Exception e) when (e is BadImageFormatException or FileLoadException or FileNotFoundException)
            {
                // A native file, or one the host already loaded differently.
            }
        }
        return AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => !a.IsDynamic && a.Location.Length > 0)
            .DistinctBy(a => a.GetName().Name, StringComparer.OrdinalIgnoreCase);
    }
}
