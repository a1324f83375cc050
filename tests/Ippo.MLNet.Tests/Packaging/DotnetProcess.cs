using System.Diagnostics;
using System.Text;

namespace Ippo.MLNet.Tests.Packaging;

/// <summary>
/// Runs the dotnet CLI as a child process with an environment cleaned of the test host's MSBuild and VSTest
/// variables (they would point the child build at the test run's MSBuild), and returns its exit code and output.
/// </summary>
internal static class DotnetProcess
{
    public static (int ExitCode, string Output) Run(string workingDirectory, IReadOnlyDictionary<string, string> environment,
        TimeSpan timeout, params string[] arguments)
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        var start = new ProcessStartInfo(string.IsNullOrEmpty(host) || !File.Exists(host) ? "dotnet" : host)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        foreach (var key in start.Environment.Keys.ToList())
            if (key.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || key.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("TESTINGPLATFORM", StringComparison.OrdinalIgnoreCase) || key.Equals("MSBuildSDKsPath", StringComparison.OrdinalIgnoreCase)
                || key.Equals("MSBuildExtensionsPath", StringComparison.OrdinalIgnoreCase))
                start.Environment.Remove(key);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        foreach (var (key, value) in environment) start.Environment[key] = value;

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return (-1, $"timed out after {timeout.TotalSeconds:F0} s: dotnet {string.Join(' ', arguments)}\n{output}");
        }
        process.WaitForExit();
        lock (output) return (process.ExitCode, output.ToString());
    }
}
