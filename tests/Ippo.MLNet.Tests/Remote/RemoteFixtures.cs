using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Models.Lora;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Rollouts;
using Ippo.MLNet.Core.Rollouts.Remote;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using static Ippo.MLNet.Tests.Reliability.ReliabilityFixtures;
using static TorchSharp.torch;

namespace Ippo.MLNet.Tests.Remote;

/// <summary>Tiny runs shared by the remote-engine tests: width 32, one layer, 2 iterations of 8 episodes.</summary>
internal static class RemoteFixtures
{
    public static readonly LoraOptions Adapters = new() { Rank = 4, Alpha = 8 };

    public static readonly PpoOptions Run = Small with { Iterations = 2, EpisodesPerIteration = 8, MiniBatches = 2, KlCoefficient = 0.05 };

    public static Policy AdaptedPolicy()
    {
        var policy = TinyPolicy();
        LoraAdapters.Apply(policy.Model, Adapters);
        return policy;
    }

    public static OpenAiCompletionsOptions Options(Uri url, IRemoteWeightSync? sync = null) => new()
    {
        BaseUrl = url, Model = "base", WeightSync = sync, RequestTimeout = TimeSpan.FromSeconds(60),
        RetryDelay = TimeSpan.FromMilliseconds(10), MaxRetryDelay = TimeSpan.FromMilliseconds(40),
    };

    /// <summary>Trains <paramref name="policy"/> with <paramref name="options"/>; returns the history and the final policy weights.</summary>
    public static (List<PpoIterationMetrics> History, Dictionary<string, Tensor> Weights) Train(Policy policy, PpoOptions options, IRolloutEngine? engine = null)
    {
        using var trainer = new PpoTrainer(policy, ArithmeticReward.Create(), options, rolloutEngine: engine);
        trainer.Train(Prompts);
        return (trainer.History.ToList(), Weights(policy.Model));
    }

    /// <summary>A temporary folder, deleted by the caller.</summary>
    public static string TempFolder() => Directory.CreateTempSubdirectory("ippo-remote-").FullName;
}
