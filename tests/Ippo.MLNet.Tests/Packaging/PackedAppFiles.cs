namespace Ippo.MLNet.Tests.Packaging;

/// <summary>
/// The throwaway console app the packaging test builds against the packed packages: what a user writes, with
/// nothing from the repository (no Directory.Build.props, no central versions, no imported targets).
/// </summary>
internal static class PackedAppFiles
{
    public static string Project(string version, string libtorchVersion) => $"""
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <Nullable>enable</Nullable>
            <ImplicitUsings>enable</ImplicitUsings>
            <CreateHardLinksForCopyLocalIfPossible>true</CreateHardLinksForCopyLocalIfPossible>
          </PropertyGroup>
          <ItemGroup>
            <PackageReference Include="Ippo.MLNet" Version="{version}" />
            <PackageReference Include="libtorch-cpu-linux-x64" Version="{libtorchVersion}" />
          </ItemGroup>
        </Project>
        """;

    /// <summary>nuget.config: the test's feed first, then the repository's sources; the machine's package cache as a
    /// fallback folder so restore needs no network, and a private global folder so no stale copy is picked up.</summary>
    public static string NuGetConfig(string feed, string globalPackages, string fallbackPackages, IEnumerable<(string Key, string Value)> sources) => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <config>
            <add key="globalPackagesFolder" value="{globalPackages}" />
          </config>
          <fallbackPackageFolders>
            <clear />
            <add key="machine-cache" value="{fallbackPackages}" />
          </fallbackPackageFolders>
          <packageSources>
            <clear />
            <add key="ippo-test-feed" value="{feed}" />
        {string.Concat(sources.Select(s => $"    <add key=\"{s.Key}\" value=\"{s.Value}\" />\n"))}  </packageSources>
        </configuration>
        """;

    /// <summary>Reverses words over a 4-character alphabet: SFT through the ML.NET pipeline, a greedy completion, a
    /// save and reload through Policy, one line per fact.</summary>
    public const string Program = """
        using Ippo.MLNet;
        using Ippo.MLNet.Core.Models;
        using Ippo.MLNet.Core.Tokenization;
        using Ippo.MLNet.Core.Training;
        using Microsoft.ML;

        var tokenizer = PolicyTokenizer.FromCharacters("abc>");
        var config = new GptConfig { VocabSize = tokenizer.VocabSize, ContextLength = 16, Width = 32, Layers = 1, Heads = 2, InitSeed = 1 };
        using var policy = new Policy(new GptLanguageModel(config), tokenizer);
        var ml = new MLContext(seed: 0);
        var rows = new[] { new Row { Prompt = "abc>", Completion = "cba" }, new Row { Prompt = "ab>", Completion = "ba" } };
        var losses = new List<double>();
        var sft = ml.Ippo().Sft(new SftTrainerOptions
        {
            InitialPolicy = policy,
            Sft = new SftOptions { Steps = 40, BatchSize = 2, LearningRate = 1e-2, WarmupSteps = 0, LogEvery = 1 },
            Generation = new() { Temperature = 0, MaxNewTokens = 6 },
            OnProgress = p => losses.Add(p.Loss),
        });
        using var model = sft.Fit(ml.Data.LoadFromEnumerable(rows));
        Console.WriteLine($"steps {losses.Count}");
        Console.WriteLine($"first-loss {losses[0]:R}");
        Console.WriteLine($"last-loss {losses[^1]:R}");
        Console.WriteLine($"completion [{model.Complete(new[] { "abc>" })[0]}]");
        var folder = Path.Combine(Path.GetTempPath(), "ippo-packed-app-" + Guid.NewGuid().ToString("N"));
        model.Policy.Save(folder);
        using var reloaded = Policy.Load(folder);
        Directory.Delete(folder, recursive: true);
        Console.WriteLine($"reloaded-vocab {reloaded.Tokenizer.VocabSize}");

        public sealed class Row { public string Prompt { get; set; } = ""; public string Completion { get; set; } = ""; }
        """;
}
