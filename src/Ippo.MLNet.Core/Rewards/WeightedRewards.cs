namespace Ippo.MLNet.Core.Rewards;

/// <summary>
/// Several reward functions scored together (TRL's reward_funcs with reward_weights): an episode's score is the weighted
/// sum of every function's reward. The PPO trainer logs each function's unweighted mean and standard deviation per
/// iteration under <see cref="MeanMetric"/> and <see cref="StdMetric"/>; the weighted sum is its <c>objective/scores</c>.
/// </summary>
public sealed class WeightedRewards
{
    /// <summary>Takes the rewards in order. At least one; names non-empty, without '/', unique; weights finite.</summary>
    public WeightedRewards(IEnumerable<NamedReward> rewards)
    {
        ArgumentNullException.ThrowIfNull(rewards);
        Rewards = rewards.ToList();
        if (Rewards.Count == 0) throw new ArgumentException("WeightedRewards needs at least one reward.", nameof(rewards));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in Rewards)
        {
            if (r is null) throw new ArgumentException("WeightedRewards: a reward entry is null.", nameof(rewards));
            if (string.IsNullOrWhiteSpace(r.Name) || r.Name.Contains('/'))
                throw new ArgumentException($"WeightedRewards: reward name \"{r.Name}\" must be non-empty and contain no '/'.", nameof(rewards));
            if (!seen.Add(r.Name)) throw new ArgumentException($"WeightedRewards: the reward name \"{r.Name}\" appears twice.", nameof(rewards));
            if (r.Function is null) throw new ArgumentException($"WeightedRewards: reward \"{r.Name}\" has no function.", nameof(rewards));
            if (!double.IsFinite(r.Weight)) throw new ArgumentException($"WeightedRewards: reward \"{r.Name}\" has weight {r.Weight}; weights must be finite.", nameof(rewards));
        }
    }

    /// <summary>Takes the rewards in order (see the other constructor).</summary>
    public WeightedRewards(params NamedReward[] rewards) : this((IEnumerable<NamedReward>)rewards) { }

    /// <summary>The rewards, in order.</summary>
    public IReadOnlyList<NamedReward> Rewards { get; }

    /// <summary>Metric name of a reward's per-iteration mean (TRL): <c>rewards/&lt;name&gt;/mean</c>.</summary>
    public static string MeanMetric(string name) => $"rewards/{name}/mean";

    /// <summary>Metric name of a reward's per-iteration standard deviation (population): <c>rewards/&lt;name&gt;/std</c>.</summary>
    public static string StdMetric(string name) => $"rewards/{name}/std";

    /// <summary>Every reward's own (unweighted) value for <paramref name="input"/>, in order. A non-finite value is an error naming the reward.</summary>
    public double[] Components(RewardInput input)
    {
        var values = new double[Rewards.Count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = Rewards[i].Function(input);
            if (!double.IsFinite(values[i]))
                throw new InvalidOperationException($"Reward \"{Rewards[i].Name}\" returned {values[i]} for prompt \"{input.Prompt}\"; rewards must be finite.");
        }
        return values;
    }

    /// <summary>The weighted sum of <paramref name="components"/> (as <see cref="Components"/> returns them).</summary>
    public double Combine(IReadOnlyList<double> components)
    {
        ArgumentNullException.ThrowIfNull(components);
        if (components.Count != Rewards.Count)
            throw new ArgumentException($"Expected {Rewards.Count} reward values, got {components.Count}.", nameof(components));
        double sum = 0;
        for (int i = 0; i < components.Count; i++) sum += Rewards[i].Weight * components[i];
        return sum;
    }

    /// <summary>The score of <paramref name="input"/>: the weighted sum of every reward.</summary>
    public double Score(RewardInput input) => Combine(Components(input));

    /// <summary>The weighted sum as a single reward function (its metrics per reward are then not logged).</summary>
    public RewardFunction AsFunction() => Score;

    /// <summary>
    /// Per-reward metrics of a batch: for reward k, the mean and population standard deviation of
    /// <c>components[i][k]</c> over the episodes i.
    /// </summary>
    public IReadOnlyDictionary<string, double> Metrics(IReadOnlyList<double[]> components)
    {
        ArgumentNullException.ThrowIfNull(components);
        var metrics = new Dictionary<string, double>();
        if (components.Count == 0) return metrics;
        for (int k = 0; k < Rewards.Count; k++)
        {
            double mean = components.Average(c => c[k]);
            metrics[MeanMetric(Rewards[k].Name)] = mean;
            metrics[StdMetric(Rewards[k].Name)] = Math.Sqrt(components.Average(c => (c[k] - mean) * (c[k] - mean)));
        }
        return metrics;
    }
}
