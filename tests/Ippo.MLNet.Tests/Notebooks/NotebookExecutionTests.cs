using System.Collections;
using System.Runtime.InteropServices;
using System.Text.Json;
using Ippo.MLNet.Core.Logging;
using Ippo.MLNet.Core.Native;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Tests.Logging;
using NUnit.Framework;

namespace Ippo.MLNet.Tests.Notebooks;

/// <summary>
/// Executes every C# cell of each example notebook, in order, with a cell after the one tagged "parameters" that
/// shrinks the run (tiny model, a few steps), and checks what the last cells produce. The first code cell's native
/// loading runs for real, pointed (through IPPO_BUILD_OUTPUT) at this test output, whose native this process uses.
/// </summary>
[NonParallelizable]
public class NotebookExecutionTests
{
    private const string TinyModel = "var modelConfig = ArithmeticDefaults.ModelConfig() with { Width = 32, Layers = 1 };";
    private string _dir = "";
    private string? _buildOutput;

    [SetUp]
    public void Prepare()
    {
        _dir = Directory.CreateTempSubdirectory("ippo-notebook-").FullName;
        _buildOutput = Environment.GetEnvironmentVariable("IPPO_BUILD_OUTPUT");
        Environment.SetEnvironmentVariable("IPPO_BUILD_OUTPUT", AppContext.BaseDirectory);
    }

    [TearDown]
    public void CleanUp()
    {
        Environment.SetEnvironmentVariable("IPPO_BUILD_OUTPUT", _buildOutput);
        Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public void QuickstartRunsToTheEndAndLeavesModelTensorBoardLogsAndCsv()
    {
        var run = NotebookScriptRunner.Run(Cells("quickstart.ipynb", $$"""
            var corpusSize = 200; var sftSteps = 3; var sftBatchSize = 8; {{TinyModel}}
            var promptCount = 24; var goldCount = 4; var iterations = 2; var episodesPerIteration = 8;
            var heldOutCount = 4; var samplesPerPrompt = 2; var runsFolder = @"{{_dir}}";
            """));

        AssertNativeCell(run);
        Assert.That(run.Variable<IList>("historyTable"), Has.Count.EqualTo(2), "one history row per iteration");
        Assert.That(run.Variable<IList>("metricsTable"), Has.Count.EqualTo(2), "SFT and I-PPO rows");
        Assert.That(File.Exists(Path.Combine(_dir, "quickstart", "model.zip")));
        Assert.That(run.Output, Does.Contain("I-PPO iteration  2/2").And.Contain("Saved the pipeline with its policy to"));

        Assert.That(run.Variable<string[]>("eventFiles"), Has.Length.EqualTo(2), "one event file for SFT, one for I-PPO");
        Assert.That(run.Output, Does.Contain("tensorboard --logdir").And.Contain("2 iterations x"));
        var tb = Path.Combine(_dir, "quickstart", "tb");
        Assert.That(LoggingTestFolder.Scalars(Path.Combine(tb, "sft")).Where(s => s.Tag == SftMetricNames.Loss).Select(s => s.Step), Is.EqualTo(new[] { 1L, 2L, 3L }));
        var ppo = LoggingTestFolder.Scalars(Path.Combine(tb, "ippo"));
        Assert.That(ppo.Where(s => s.Tag == MetricNames.Kl).Select(s => s.Step), Is.EqualTo(new[] { 1L, 2L }));
        Assert.That(ppo.Select(s => s.Tag), Has.Member(MetricNames.Scores).And.Member(MetricNames.KeptFraction).And.Member(MetricNames.ScoreMean));
        var csv = CsvFile.Read(Path.Combine(_dir, "quickstart", "metrics.csv"));
        Assert.That(csv.Rows.Select(r => r[0]), Is.EqualTo(new[] { "1", "2" }));
    }

    [Test]
    public void WhichRolloutsHelpRunsToTheEndAndScoresEveryEpisode()
    {
        var run = NotebookScriptRunner.Run(Cells("which-rollouts-help.ipynb", $$"""
            var corpusSize = 200; var sftSteps = 3; var sftBatchSize = 8; {{TinyModel}}
            var bufferSize = 24; var goldCount = 4;
            """));

        AssertNativeCell(run);
        Assert.That(run.Variable<IList>("scored"), Has.Count.EqualTo(24), "every episode of the buffer is scored");
        var byLabel = run.Variable<IList>("byLabel").Cast<object>().ToList();
        Assert.That(byLabel.Sum(row => (int)row.GetType().GetProperty("Episodes")!.GetValue(row)!), Is.EqualTo(24), "the label table covers the buffer");
        Assert.That(run.Output, Does.Contain("24 episodes, mean reward").And.Contain("Highest-scoring right answers:").And.Contain("Lowest-scoring right answers:"));
    }

    [Test]
    public void TheNativeHelperHandsTorchSharpTheBuildOutputsLibrary()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("The helper acts on Linux only.");
        var file = TorchSharpNative.UseBuildOutput(AppContext.BaseDirectory)!;

        Assert.That(file, Does.EndWith(Path.Combine("runtimes", $"linux-{RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}", "native", "libLibTorchSharp.so")));
        Assert.That(NativeLibrary.TryLoad(TorchSharpNative.LibraryName, typeof(TorchSharp.torch).Assembly, null, out var byName), Is.True);
        Assert.That(byName, Is.EqualTo(NativeLibrary.Load(file)), "TorchSharp's by-name lookup gets the build output's file");
        var missing = Assert.Throws<FileNotFoundException>(() => TorchSharpNative.UseBuildOutput(Path.Combine(Path.GetTempPath(), "no-such-build")))!;
        Assert.That(missing.Message, Does.Contain("no-such-build").And.Contain("dotnet build -c Release"));
    }

    private static void AssertNativeCell(NotebookScriptRunner.Result run)
    {
        Assert.That(run.Variable<float>("firstSum"), Is.EqualTo(3f));
        if (OperatingSystem.IsLinux())
            Assert.That(run.Variable<string>("torchNative"), Does.StartWith(Path.GetFullPath(AppContext.BaseDirectory)).And.EndWith("libLibTorchSharp.so"));
    }

    /// <summary>The notebook's C# cells in order, with <paramref name="parameters"/> as a cell right after the one tagged "parameters".</summary>
    private static List<(int Cell, string Code)> Cells(string name, string parameters)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(NotebookFiles.Folder, name)));
        var cells = json.RootElement.GetProperty("cells").EnumerateArray().ToList();
        var document = NotebookFiles.Read(name);
        Assert.That(document.Elements, Has.Count.EqualTo(cells.Count));
        var code = new List<(int, string)>();
        bool sawParameters = false;
        for (int i = 0; i < cells.Count; i++)
        {
            if (document.Elements[i].KernelName != "csharp") continue;
            code.Add((i + 1, document.Elements[i].Contents));
            if (cells[i].GetProperty("metadata").TryGetProperty("tags", out var tags) && tags.EnumerateArray().Any(t => t.GetString() == "parameters"))
            {
                code.Add((i + 1, parameters));
                sawParameters = true;
            }
        }
        Assert.That(sawParameters, $"{name} has no cell tagged \"parameters\"");
        return code;
    }
}
