using NUnit.Framework;

namespace Ippo.MLNet.Tests.Notebooks;

/// <summary>The example notebooks parse as Polyglot C# notebooks and their code compiles against the library; none is run.</summary>
public class NotebookCompileTests
{
    private static IEnumerable<TestCaseData> Notebooks() =>
        NotebookFiles.Names().Select(name => new TestCaseData(name).SetArgDisplayNames(name));

    [Test]
    public void TheExampleNotebooksAreThere()
    {
        Assert.That(NotebookFiles.Names(), Is.SupersetOf(new[] { "quickstart.ipynb", "which-rollouts-help.ipynb" }));
    }

    [TestCaseSource(nameof(Notebooks))]
    public void NotebookIsACSharpPolyglotNotebookWhoseCellsCompile(string name)
    {
        var document = NotebookFiles.Read(name);
        var cells = document.Elements.Select((element, i) => (Cell: i + 1, element.KernelName, element.Contents)).ToList();
        var code = cells.Where(c => c.KernelName == "csharp").Select(c => (c.Cell, Code: c.Contents)).ToList();

        Assert.That(NotebookFiles.DefaultKernelName(document), Is.EqualTo("csharp"), $"{name}: default kernel in metadata.polyglot_notebook");
        Assert.That(cells.Where(c => c.KernelName != "markdown").Select(c => c.KernelName), Has.All.EqualTo("csharp"), $"{name}: code cells");
        Assert.That(code, Is.Not.Empty, $"{name} has no C# cell");
        Assert.That(cells.Count(c => c.KernelName == "markdown"), Is.GreaterThan(0), $"{name} has no markdown cell");

        var errors = NotebookScriptCompiler.Compile(code);
        Assert.That(errors, Is.Empty, Describe(name, errors));
    }

    [Test]
    public void CompilerReportsTheCellAndTheDiagnosticOfABrokenSnippet()
    {
        var errors = NotebookScriptCompiler.Compile(new[]
        {
            (2, "var total = 1;"),
            (4, "var wrong = total + undefinedName;"),
            (6, "var fine = total + 1;"),
        });

        Assert.That(errors, Has.Count.EqualTo(1), "the cell after the broken one still compiles against the cells before it");
        Assert.That(errors[0].Cell, Is.EqualTo(4));
        Assert.That(errors[0].Text, Does.Contain("CS0103").And.Contain("undefinedName").And.Contain("(1,21)"));
        Assert.That(Describe("broken.ipynb", errors), Does.Contain("broken.ipynb").And.Contain("cell 4").And.Contain("CS0103"));
    }

    [Test]
    public void CompilerFlagsAWrongLibraryCall()
    {
        const string code = "using Ippo.MLNet;\nusing Microsoft.ML;\nvar ml = new MLContext();\nml.Ippo().NoSuchEstimator();";

        var errors = NotebookScriptCompiler.Compile(new[] { (1, code) });

        Assert.That(errors.Select(e => e.Text), Has.Some.Contain("CS1061").And.Contain("NoSuchEstimator"));
    }

    [Test]
    public void CellsSeeEarlierCellsAndKernelDirectivesAreSkipped()
    {
        // Usings, types and variables carry from cell to cell; a trailing expression is a cell's displayed value.
        var cells = new[]
        {
            (1, "#r \"nuget: Microsoft.ML, 5.0.1\"\n#!time\nusing Ippo.MLNet;\nusing Microsoft.ML;"),
            (3, "public class Row { public string Prompt { get; set; } = \"\"; }\nvar ml = new MLContext(seed: 0);"),
            (4, "using System.Linq;\nvar view = ml.Data.LoadFromEnumerable(new[] { new Row { Prompt = \"1+2=\" } });\nview.Schema.Select(c => c.Name)"),
        };

        Assert.That(NotebookScriptCompiler.Compile(cells), Is.Empty);
    }

    private static string Describe(string name, IReadOnlyList<CellError> errors) =>
        $"{name} does not compile:\n" + string.Join('\n', errors.Select(e => $"  cell {e.Cell} {e.Text}"));
}
