using Ippo.MLNet.Core.Ppo;

namespace Ippo.MLNet.Tests.RlMoves;

/// <summary>
/// The PPO defaults before "RL that moves" (learning rate 2e-5, 64 episodes per iteration, 2 minibatches): the tests
/// written against them keep them (and the rollout length of 32 that was the default then), so that their assertions
/// hold exactly as they were written.
/// </summary>
internal static class OldPpoDefaults
{
    public static PpoOptions Ppo => new() { LearningRate = 2e-5, EpisodesPerIteration = 64, MiniBatches = 2, MaxNewTokens = 32 };

    public static PpoOptions Grpo => PpoOptions.Grpo with { LearningRate = 2e-5, EpisodesPerIteration = 64, MiniBatches = 2, MaxNewTokens = 32 };
}
