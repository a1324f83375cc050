namespace Ippo.MLNet.Core.Ppo;

/// <summary>Where PPO's critic lives.</summary>
public enum ValueHeadPlacement
{
    /// <summary>A separate critic model (its own body, initialised from the policy's) with a value head. Default:
    /// the critic's large early gradients never disturb the policy's features.</summary>
    SeparateCritic,

    /// <summary>A value head on the policy's own body: one forward pass serves both, at the cost of coupling the
    /// value loss into the policy's features (scaled by <see cref="PpoOptions.ValueCoefficient"/>).</summary>
    SharedTrunk,
}
