using System.Diagnostics;
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
            long liveAfterWarmUp = 0, workingSetAfterWarmUp = 0;
            var live = new List<long>();
            var run = trainer.Train(Prompts, m =>
            {
                live.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
                if (m.Iteration == WarmUp) (liveAfterWarmUp, workingSetAfterWarmUp) = (live[^1], WorkingSet());
            });
            long workingSetAtEnd = WorkingSet();
            double growth = (double)(workingSetAtEnd - workingSetAfterWarmUp) / workingSetAfterWarmUp;
            TestContext.Out.WriteLine($"live tensors after iteration {WarmUp}: {liveAfterWarmUp}, after {Total}: {live[^1]}; " +
                $"working set {workingSetAfterWarmUp / 1e6:F1} MB -> {workingSetAtEnd / 1e6:F1} MB ({growth:P2})");

            Assert.That(run.StopReason, Is.Null);
            Assert.That(trainer.IterationsDone, Is.EqualTo(Total));
            Assert.That(live.Skip(WarmUp), Has.All.EqualTo(liveAfterWarmUp), "live tensors after every iteration past the warm-up");
            Assert.That(growth, Is.LessThanOrEqualTo(0.05));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static long WorkingSet()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64;
    }
}
