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
        step.TrainStep();
        Console.WriteLine("load running");
        Console.Out.Flush();
        while (true) step.TrainStep();
    }

    /// <summary>Stops the load process where it is (SIGSTOP), so the cores are idle again.</summary>
    public void Pause() => Signal("STOP");

    /// <summary>Lets a paused load process run on (SIGCONT).</summary>
    public void Resume() => Signal("CONT");

    private void Signal(string name)
    {
        // The load is the process under nice and timeout: signal every process of its tree (timeout forwards only TERM-like signals).
        foreach (var pid in Tree(_process.Id))
            using (var kill = Process.Start(new ProcessStartInfo("kill", ["-" + name, pid.ToString()]) { UseShellExecute = false })!)
                kill.WaitForExit();
    }

    private static IEnumerable<int> Tree(int root)
    {
        yield return root;
        var children = $"/proc/{root}/task/{root}/children";
        if (!File.Exists(children)) yield break;
        foreach (var child in File.ReadAllText(children).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse))
            foreach (var pid in Tree(child)) yield return pid;
    }

    /// <summary>Stops the load process.</summary>
    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true); // SIGKILL ends stopped processes too
        _process.WaitForExit();
        _process.Dispose();
    }
}
