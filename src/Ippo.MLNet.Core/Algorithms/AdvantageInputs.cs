using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Algorithms;

/// <summary>What an advantage estimator reads (the caller owns every tensor).</summary>
/// <param name="TokenLevelRewards">
/// Per-token rewards [batch, length]: the score on each episode's last response token, plus -beta * KL per token when
/// the KL sits in the reward. Critic-free estimators use each episode's masked sum as its score.
/// </param>
/// <param name="ResponseMask">1 on response tokens [batch, length].</param>
/// <param name="GroupIds">Integer group id per episode [batch] (episodes of one prompt share one); required by group estimators.</param>
/// <param name="Values">Critic values [batch, length]; required by estimators that need a critic.</param>
public sealed record AdvantageInputs(Tensor TokenLevelRewards, Tensor ResponseMask, Tensor? GroupIds = null, Tensor? Values = null);
