using System.Diagnostics;

namespace Ippo.MLNet.Benchmarks;

/// <summary>
/// Another training process on the same cores, as on a shared machine: this benchmark executable in
/// <see cref="LoadModeArgument"/> mode, at nice 10, with libgomp's own default wait policy, running training steps on
/// every core until it is stopped or <c>timeout</c> ends it (so it ends by itself even if the benchmark process dies).
/// </summary>
public sealed class BackgroundLoad : IDisposable
{
    /// <summary>First command-line argument that makes the benchmark executable run as the load.</summary>
    public const string LoadModeArgument = "--background-load";

    private readonly Process _process;

    /// <summary>Starts the load process, stopped after at most <paramref name="maximumSeconds"/>.</summary>
    public BackgroundLoad(int maximumSeconds)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("No process path to start the load from.");
        var start = new ProcessStartInfo("nice", ["-n", "10", "timeout", maximumSeconds.ToString(), self])
        { UseShellExecute = false, RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") start.ArgumentList.Add(typeof(BackgroundLoad).Assembly.Location); // not an apphost
        start.ArgumentList.Add(LoadModeArgument);
        start.Environment["IPPO_OPENMP_DEFAULTS"] = "0";
        start.Environment.Remove("OMP_WAIT_POLICY");
        start.Environment.Remove("GOMP_SPINCOUNT");
        _process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the background load.");
        if (_process.StandardOutput.ReadLine() != "load running") throw new InvalidOperationException("The background load did not start.");
    }

    /// <summary>Runs training steps on every core until killed (the body of the load process).</summary>
    public static void RunLoad()
    {
        var step = new OpenMpContentionBenchmarks();
        step.CreateModel();
        step.Step();
        Console.WriteLine("load running");
        Console.Out.Flush();
        while (true) step.Step();
    }

    /// <summary>Stops the load process.</summary>
    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
    }
}
