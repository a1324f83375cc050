using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

// In-process toolchain: BenchmarkDotNet's generated child project would copy the unpatched TorchSharp native
// (see build/TorchSharpNativeFix.targets), so benchmarks run inside this already-fixed process.
if (args is [Ippo.MLNet.Benchmarks.BackgroundLoad.LoadModeArgument, ..])
{
    Ippo.MLNet.Benchmarks.BackgroundLoad.RunLoad();
    return;
}
if (args is [Ippo.MLNet.Benchmarks.LoraSetup.PeakMemoryArgument, var mode, ..])
{
    Ippo.MLNet.Benchmarks.LoraSetup.RunPeakMemory(mode, args.Length > 2 ? int.Parse(args[2]) : Ippo.MLNet.Benchmarks.LoraSetup.MiniBatches);
    return;
}
if (args is [Ippo.MLNet.Benchmarks.LoraProbe.Argument, var probeMode, .. var probeMore])
{
    Ippo.MLNet.Benchmarks.LoraProbe.Run(probeMode, probeMore);
    return;
}
if (args is [Ippo.MLNet.Benchmarks.LoraSetup.CompareArgument])
{
    Ippo.MLNet.Benchmarks.LoraSetup.Compare();
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Ippo.MLNet.Benchmarks.BenchmarkConfig).Assembly)
    .Run(args, new Ippo.MLNet.Benchmarks.BenchmarkConfig());
