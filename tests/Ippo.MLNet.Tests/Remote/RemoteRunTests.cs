using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Rollouts;
using Ippo.MLNet.Core.Rollouts.Remote;
using NUnit.Framework;
using static Ippo.MLNet.Tests.Reliability.ReliabilityFixtures;
using static Ippo.MLNet.Tests.Remote.RemoteFixtures;

namespace Ippo.MLNet.Tests.Remote;

/// <summary>
/// PPO through the OpenAI-compatible engine against a loopback vLLM stand-in that samples with the same code and seed:
/// the run equals the in-process run bit for bit, the adapter reaches the server through the PEFT folder after every
/// update, and wrong engine log-probs move nothing but the mismatch metric (the trainer recomputes the old log-probs).
/// </summary>
public class RemoteRunTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = TempFolder();

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private static Dictionary<string, double> Comparable(PpoIterationMetrics m, params string[] leaveOut) =>
        WithoutTimes(m).Where(kv => !leaveOut.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);

    private (List<PpoIterationMetrics> History, Dictionary<string, TorchSharp.torch.Tensor> Weights, FakeVllm Server) RemoteLoraRun(PpoOptions options, float logProbOffset = 0)
    {
        var server = new FakeVllm(TinyPolicy());
        server.LogProbOffset = logProbOffset;
        var sync = new LoraAdapterSync(Path.Combine(_dir, "adapters"));
        using var engine = new OpenAiCompletionsRolloutEngine(Options(server.Server.BaseUrl, sync));
        using var policy = AdaptedPolicy();
        var (history, weights) = Train(policy, options, engine);
        return (history, weights, server);
    }

    [Test]
    public void ARunThroughTheRemoteEngineEqualsTheInProcessRunBitForBit()
    {
        using var local = AdaptedPolicy();
        var (expected, expectedWeights) = Train(local, Run);
        var (history, weights, server) = RemoteLoraRun(Run);
        using (server)
        {
            Assert.That(history, Has.Count.EqualTo(Run.Iterations));
            for (int i = 0; i < history.Count; i++)
                Assert.That(Comparable(history[i]), Is.EqualTo(Comparable(expected[i])), $"iteration {i + 1}");
            Assert.That(Differences(weights, expectedWeights), Is.Empty, "final parameters");
            Assert.That(server.AdapterLoads, Is.EqualTo(1 + Run.Iterations), "once before the first rollout, then after each update");
            Assert.That(server.SampledModels, Is.EqualTo(Enumerable.Repeat("ippo-policy", Run.Iterations)), "every rollout sampled the synced adapter");
            Assert.That(File.Exists(Path.Combine(_dir, "adapters", "ippo-policy", "adapter_model.safetensors")));
        }
        Assert.That(expected.All(m => m.Values[RolloutMetricNames.LogProbDifferenceMean] < 1e-4), "the in-process engine's log-probs agree with the recomputed ones to rounding");
    }

    [Test]
    public void WrongEngineLogProbsChangeNothingButTheMismatchMetric()
    {
        const float offset = -0.25f;
        using var local = AdaptedPolicy();
        var (expected, expectedWeights) = Train(local, Run);
        var (history, weights, server) = RemoteLoraRun(Run, offset);
        server.Dispose();
        string[] gap = { RolloutMetricNames.LogProbDifferenceMean, RolloutMetricNames.LogProbDifferenceMax };
        for (int i = 0; i < history.Count; i++)
        {
            Assert.That(Comparable(history[i], gap), Is.EqualTo(Comparable(expected[i], gap)), $"iteration {i + 1}");
            // |old - (engine - 0.25)| = 0.25 + (old - engine), and old - engine is rounding (< 1e-4, asserted in the in-process run).
            Assert.That(history[i].Values[RolloutMetricNames.LogProbDifferenceMean], Is.EqualTo(0.25).Within(2e-4));
            Assert.That(history[i].Values[RolloutMetricNames.LogProbDifferenceMax], Is.EqualTo(0.25).Within(2e-4));
        }
        Assert.That(Differences(weights, expectedWeights), Is.Empty, "the update never reads the engine's log-probs");
    }

    [Test]
    public void TheImportanceCorrectionWeighsTokensByTheTruncatedRatio()
    {
        // Engine log-probs 0.25 below the trainer's: every weight is exp(0.25) = 1.284 under cap 2, and exactly the cap under 1.1.
        var (plain, plainWeights, s0) = RemoteLoraRun(Run, -0.25f);
        var (corrected, correctedWeights, s1) = RemoteLoraRun(Run with { RolloutImportanceSampling = true }, -0.25f);
        var (capped, _, s2) = RemoteLoraRun(Run with { RolloutImportanceSampling = true, RolloutImportanceSamplingCap = 1.1 }, -0.25f);
        s0.Dispose(); s1.Dispose(); s2.Dispose();
        Assert.That(plain[0].Values.ContainsKey(RolloutMetricNames.ImportanceRatioMean), Is.False, "off by default");
        foreach (var name in new[] { RolloutMetricNames.ImportanceRatioMin, RolloutMetricNames.ImportanceRatioMean, RolloutMetricNames.ImportanceRatioMax })
        {
            Assert.That(corrected[0].Values[name], Is.EqualTo(Math.Exp(0.25)).Within(1e-3), name);
            Assert.That(capped[0].Values[name], Is.EqualTo(1.1).Within(1e-6), name + " at the cap");
        }
        Assert.That(corrected[0].Values[MetricNames.Scores], Is.EqualTo(plain[0].Values[MetricNames.Scores]), "same rollout");
        Assert.That(Differences(correctedWeights, plainWeights), Is.Not.Empty, "the weights scale the policy gradient");
    }

    [Test]
    public void AFullModelSyncsThroughTheCheckpointReloadRouteAndStillEqualsTheInProcessRun()
    {
        var options = Run with { Iterations = 1 };
        using var local = TinyPolicy();
        var (expected, expectedWeights) = Train(local, options);
        var folder = Path.Combine(_dir, "model");
        using var served = TinyPolicy();
        served.SavePretrained(folder);
        using var server = new FakeVllm(Policy.FromPretrained(folder), modelFolder: folder);
        using var engine = new OpenAiCompletionsRolloutEngine(Options(server.Server.BaseUrl, new FullCheckpointReloadSync(folder, "base")));
        using var policy = TinyPolicy();
        var (history, weights) = Train(policy, options, engine);
        Assert.That(Comparable(history[0]), Is.EqualTo(Comparable(expected[0])));
        Assert.That(Differences(weights, expectedWeights), Is.Empty);
        Assert.That(server.WeightReloads, Is.EqualTo(2), "before the first rollout and after the update");
        Assert.That(server.Server.Requests.Where(r => r.Path == "/collective_rpc").Select(r => r.Body), Has.All.Contains("\"reload_weights\""));
    }
}
