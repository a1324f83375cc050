using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

// In-process toolchain: BenchmarkDotNet's generated child project would copy the unpatched TorchSharp native
// (see build/TorchSharpNativeFix.targets), so benchmarks run inside this already-fixed process.
if (args is [Ippo.MLNet.Benchmarks.BackgroundLoad.LoadModeArgument, ..])
{
    Ippo.MLNet.Benchmarks.BackgroundLoad.RunLoad();
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Ippo.MLNet.Benchmarks.BenchmarkConfig).Assembly)
    .Run(args, new Ippo.MLNet.Benchmarks.BenchmarkConfig());
