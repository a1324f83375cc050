namespace Ippo.MLNet.Core.Rewards;

/// <summary>
/// Scores one finished episode with a scalar reward (placed on its last token by the PPO loop).
/// Must return a finite number; the trainers reject NaN or infinity with an error that names the row.
/// </summary>
public delegate double RewardFunction(RewardInput input);
