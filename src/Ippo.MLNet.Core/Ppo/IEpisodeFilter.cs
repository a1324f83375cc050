namespace Ippo.MLNet.Core.Ppo;

/// <summary>
/// Chooses which episodes of a rollout buffer the PPO update trains on, after advantages are computed.
/// Plain PPO has none; I-PPO plugs in its influence filter here.
/// </summary>
public interface IEpisodeFilter
{
    /// <summary>Decides for <paramref name="buffer"/>, whose advantages and returns are set.</summary>
    EpisodeSelection Select(RolloutBuffer buffer, PpoTrainer trainer);

    /// <summary>Why training should stop now (an early-stopping rule fired), or null to go on. Read after each iteration.</summary>
    string? StopReason { get; }
}
