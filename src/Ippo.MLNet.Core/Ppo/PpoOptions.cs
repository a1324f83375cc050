using Ippo.MLNet.Core.Logging;

namespace Ippo.MLNet.Core.Ppo;

/// <summary>
/// Options of the PPO loop (TRL's PPOConfig vocabulary where one exists). Every field has a default and a range;
/// <see cref="Validate"/> checks them all before any work starts.
/// </summary>
public sealed record PpoOptions
{
    /// <summary>PPO iterations (rollout + update). Default 40; range [1, 1,000,000].</summary>
    public int Iterations { get; init; } = 40;

    /// <summary>Episodes generated per iteration (one completion per sampled prompt). Default 64; range [1, 65,536].</summary>
    public int EpisodesPerIteration { get; init; } = 64;

    /// <summary>Passes over each rollout buffer (TRL num_ppo_epochs). Default 2; range [1, 100].</summary>
    public int PpoEpochs { get; init; } = 2;

    /// <summary>Minibatches per epoch (TRL num_mini_batches). Default 2; range [1, EpisodesPerIteration].</summary>
    public int MiniBatches { get; init; } = 2;

    /// <summary>Policy learning rate (AdamW). Default 2e-5; range (0, 1].</summary>
    public double LearningRate { get; init; } = 2e-5;

    /// <summary>Critic learning rate (AdamW), for <see cref="ValueHeadPlacement.SeparateCritic"/>. Default 1e-4; range (0, 1].</summary>
    public double CriticLearningRate { get; init; } = 1e-4;

    /// <summary>Lower clip range of the ratio, 1 - ClipRangeLow (TRL cliprange). Default 0.2; range (0, 1).</summary>
    public double ClipRangeLow { get; init; } = 0.2;

    /// <summary>Upper clip range of the ratio, 1 + ClipRangeHigh. Default 0.2; range (0, 10].</summary>
    public double ClipRangeHigh { get; init; } = 0.2;

    /// <summary>Dual-clip constant c for negative advantages (verl); null turns it off. Default 3; range (1, 100].</summary>
    public double? DualClip { get; init; } = 3.0;

    /// <summary>Clip range of the value update (TRL cliprange_value). Default 0.2; range (0, 1000].</summary>
    public double ValueClipRange { get; init; } = 0.2;

    /// <summary>Weight of the value loss (TRL vf_coef). Default 0.1; range [0, 100].</summary>
    public double ValueCoefficient { get; init; } = 0.1;

    /// <summary>Weight of the entropy bonus. Default 0; range [0, 1].</summary>
    public double EntropyCoefficient { get; init; }

    /// <summary>KL penalty coefficient beta (TRL kl_coef), the initial value when <see cref="AdaptiveKlTarget"/> is set. Default 0.02; range [0, 10].</summary>
    public double KlCoefficient { get; init; } = 0.02;

    /// <summary>Estimator of the per-token KL to the reference policy (TRL kl_estimator). Default K1.</summary>
    public KlEstimator KlEstimator { get; init; } = KlEstimator.K1;

    /// <summary>Target KL of the adaptive controller (Ziegler et al.); null keeps beta fixed. Default null; range (0, 100].</summary>
    public double? AdaptiveKlTarget { get; init; }

    /// <summary>Horizon of the adaptive KL controller, in episodes. Default 10,000; range [1, 1e9].</summary>
    public double AdaptiveKlHorizon { get; init; } = 10_000;

    /// <summary>Discount (TRL gamma). Default 1; range [0, 1].</summary>
    public double Gamma { get; init; } = 1.0;

    /// <summary>GAE lambda (TRL lam). Default 0.95; range [0, 1].</summary>
    public double Lambda { get; init; } = 0.95;

    /// <summary>Whiten advantages over the response mask of the whole buffer. Default true.</summary>
    public bool WhitenAdvantages { get; init; } = true;

    /// <summary>How per-token losses become one number. Default TokenMean.</summary>
    public LossAggregation LossAggregation { get; init; } = LossAggregation.TokenMean;

    /// <summary>Sampling temperature of rollouts (and of the log-probs PPO optimises). Default 1; range (0, 10].</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Most new tokens per episode. Default 32; range [1, context length - longest prompt].</summary>
    public int MaxNewTokens { get; init; } = 32;

    /// <summary>Added to the reward of an episode that ran out of tokens without EOS (TRL missing_eos_penalty); 0 = off. Default 0; range [-100, 0].</summary>
    public double MissingEosPenalty { get; init; }

    /// <summary>Gradient-norm clip for policy and critic. Default 0.5 (CleanRL); 0 turns it off; range [0, 1e6].</summary>
    public double MaxGradNorm { get; init; } = 0.5;

    /// <summary>Stop an iteration's epochs early once the approximate KL to the rollout policy passes this (CleanRL target_kl); null = off. Range (0, 100].</summary>
    public double? TargetKl { get; init; }

    /// <summary>Where the critic lives. Default <see cref="ValueHeadPlacement.SeparateCritic"/>.</summary>
    public ValueHeadPlacement ValueHead { get; init; } = ValueHeadPlacement.SeparateCritic;

    /// <summary>
    /// Seed of prompt sampling, minibatch shuffling and token sampling. Each iteration reseeds its generators from
    /// (Seed, iteration), so a resumed run draws what the uninterrupted one would. Default 0.
    /// </summary>
    public int Seed { get; init; }

    /// <summary>
    /// Folder the trainer checkpoints into (policy, critic or value head, reference, optimizer states, KL coefficient,
    /// filter state, iteration, history), replaced atomically; null writes no checkpoint. Default null.
    /// </summary>
    public string? CheckpointFolder { get; init; }

    /// <summary>
    /// Write a checkpoint every this many iterations (and when the run ends, stops early or is cancelled), when
    /// <see cref="CheckpointFolder"/> is set. Default 10; range [1, 1,000,000].
    /// </summary>
    public int CheckpointEvery { get; init; } = 10;

    /// <summary>
    /// Iterations in a row whose rollout, loss or gradient is not finite (each one skipped, weights untouched) before
    /// the run stops with an error. Default 3; range [1, 1000].
    /// </summary>
    public int MaxNonFiniteIterations { get; init; } = 3;

    /// <summary>TensorBoard folder, metrics CSV and custom sinks, all off by default. Default: <see cref="MetricsLogOptions"/>'s defaults.</summary>
    public MetricsLogOptions Logging { get; init; } = new();

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option out of range.</summary>
    public PpoOptions Validate()
    {
        Int(nameof(Iterations), Iterations, 1, 1_000_000);
        Int(nameof(EpisodesPerIteration), EpisodesPerIteration, 1, 65_536);
        Int(nameof(PpoEpochs), PpoEpochs, 1, 100);
        Int(nameof(MiniBatches), MiniBatches, 1, EpisodesPerIteration);
        Open(nameof(LearningRate), LearningRate, 0, 1);
        Open(nameof(CriticLearningRate), CriticLearningRate, 0, 1);
        if (!(ClipRangeLow > 0 && ClipRangeLow < 1)) throw Out(nameof(ClipRangeLow), ClipRangeLow, "(0, 1)");
        Open(nameof(ClipRangeHigh), ClipRangeHigh, 0, 10);
        if (DualClip is { } c && !(c > 1 && c <= 100)) throw Out(nameof(DualClip), c, "(1, 100] or null");
        Open(nameof(ValueClipRange), ValueClipRange, 0, 1000);
        Closed(nameof(ValueCoefficient), ValueCoefficient, 0, 100);
        Closed(nameof(EntropyCoefficient), EntropyCoefficient, 0, 1);
        Closed(nameof(KlCoefficient), KlCoefficient, 0, 10);
        if (AdaptiveKlTarget is { } t && !(t > 0 && t <= 100)) throw Out(nameof(AdaptiveKlTarget), t, "(0, 100] or null");
        Closed(nameof(AdaptiveKlHorizon), AdaptiveKlHorizon, 1, 1e9);
        Closed(nameof(Gamma), Gamma, 0, 1);
        Closed(nameof(Lambda), Lambda, 0, 1);
        Open(nameof(Temperature), Temperature, 0, 10);
        Int(nameof(MaxNewTokens), MaxNewTokens, 1, 65_536);
        Closed(nameof(MissingEosPenalty), MissingEosPenalty, -100, 0);
        Closed(nameof(MaxGradNorm), MaxGradNorm, 0, 1e6);
        if (TargetKl is { } k && !(k > 0 && k <= 100)) throw Out(nameof(TargetKl), k, "(0, 100] or null");
        if (CheckpointFolder is { } folder && string.IsNullOrWhiteSpace(folder))
            throw new ArgumentOutOfRangeException(nameof(CheckpointFolder), folder, $"PpoOptions.CheckpointFolder must be a folder path or null; got \"{folder}\".");
        Int(nameof(CheckpointEvery), CheckpointEvery, 1, 1_000_000);
        Int(nameof(MaxNonFiniteIterations), MaxNonFiniteIterations, 1, 1000);
        (Logging ?? throw new ArgumentNullException(nameof(Logging), "PpoOptions.Logging must not be null.")).Validate($"PpoOptions.{nameof(Logging)}");
        return this;
    }

    private static void Int(string name, int value, int min, int max)
    {
        if (value < min || value > max) throw Out(name, value, $"[{min}, {max}]");
    }

    private static void Open(string name, double value, double min, double max)
    {
        if (!(value > min && value <= max)) throw Out(name, value, $"({min}, {max}]");
    }

    private static void Closed(string name, double value, double min, double max)
    {
        if (!(value >= min && value <= max)) throw Out(name, value, $"[{min}, {max}]");
    }

    private static ArgumentOutOfRangeException Out(string name, object value, string range) =>
        new(name, value, $"PpoOptions.{name} must be in {range}; got {value}.");
}
