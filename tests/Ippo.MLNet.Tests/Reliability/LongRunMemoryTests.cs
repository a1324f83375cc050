using System.Diagnostics;
using System.Runtime;
using System.Runtime.InteropServices;
using Ippo.MLNet.Core.Influence;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using NUnit.Framework;
using TorchSharp;
using static Ippo.MLNet.Tests.Reliability.ReliabilityFixtures;

namespace Ippo.MLNet.Tests.Reliability;

public class LongRunMemoryTests
{
    private const int WarmUp = 10;
    private const int Total = 100;
    private const int ReadEvery = 5;
    // Working-set readings start after the first checkpoint (iteration 25), whose buffers the allocator then keeps.
    private const int FirstReading = 30;
    private const int ReadingsPerEnd = 5;

    [Test]
    public void HundredIPpoIterationsKeepLiveTensorsAndWorkingSetFlat()
    {
        var folder = Directory.CreateTempSubdirectory("ippo-memory-").FullName;
        try
        {
            using var policy = TinyPolicy();
            // KeepAll scores every episode and fuses the first step like the influence rule, but never stops the run early.
            using var filter = Filter(policy, new InfluenceFilterOptions { Rule = InfluenceRule.KeepAll, MinKeptFraction = 0 });
            var options = Small with { Iterations = Total, EpisodesPerIteration = 8, LearningRate = 1e-4, CheckpointFolder = Path.Combine(folder, "ckpt"), CheckpointEvery = 25 };
            using var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), options, filter);
            long liveAfterWarmUp = 0;
            var live = new List<long>();
            var workingSets = new List<long>();
            var run = trainer.Train(Prompts, m =>
            {
                live.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
                if (m.Iteration == WarmUp) liveAfterWarmUp = live[^1];
                if (m.Iteration >= FirstReading && m.Iteration % ReadEvery == 0) workingSets.Add(WorkingSet());
            });
            // One reading can jump with what the allocator and the GC happen to hold while other processes load the cores;
            // a leak raises every later reading, so compare the medians of the first and the last few readings.
            long start = Median(workingSets.Take(ReadingsPerEnd)), end = Median(workingSets.TakeLast(ReadingsPerEnd));
            double growth = (double)(end - start) / start;
            TestContext.Out.WriteLine($"live tensors after iteration {WarmUp}: {liveAfterWarmUp}, after {Total}: {live[^1]}; working set (MB) " +
                string.Join(" ", workingSets.Select(w => (w / 1e6).ToString("F1"))) + $"; median {start / 1e6:F1} -> {end / 1e6:F1} MB ({growth:P2})");

            Assert.That(run.StopReason, Is.Null);
            Assert.That(trainer.IterationsDone, Is.EqualTo(Total));
            Assert.That(live.Skip(WarmUp), Has.All.EqualTo(liveAfterWarmUp), "live tensors after every iteration past the warm-up");
            Assert.That(workingSets, Has.Count.EqualTo((Total - FirstReading) / ReadEvery + 1));
            Assert.That(growth, Is.LessThanOrEqualTo(0.05), "median working set, last readings against first readings");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static long Median(IEnumerable<long> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    /// <summary>The working set after a full compacting GC and, on Linux, after glibc returns its free pages (a leak is not free, so it stays).</summary>
    private static long WorkingSet()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        if (OperatingSystem.IsLinux()) MallocTrim(0);
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64;
    }
}
