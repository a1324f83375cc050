namespace Ippo.MLNet.Core.Rewards;

/// <summary>One entry of <see cref="WeightedRewards"/>: a reward function, the name its metrics carry, and its weight.</summary>
/// <param name="Name">Metric name part (<c>rewards/&lt;Name&gt;/mean</c>): non-empty, no '/', unique in its list.</param>
/// <param name="Function">The reward function.</param>
/// <param name="Weight">Its weight in the score (TRL reward_weights). Default 1; any finite number.</param>
public sealed record NamedReward(string Name, RewardFunction Function, double Weight = 1.0);
