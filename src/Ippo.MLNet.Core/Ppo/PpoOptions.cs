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

    /// <summary>
    /// Episodes generated per iteration: EpisodesPerIteration / <see cref="SamplesPerPrompt"/> sampled prompts, each
    /// completed SamplesPerPrompt times. Default 256 (was 64: with a 0/1 reward, 64 episodes and a handful of
    /// iterations give too few right answers to learn from; README "Why RL moves now"); range [1, 65,536], a multiple
    /// of SamplesPerPrompt.
    /// </summary>
    public int EpisodesPerIteration { get; init; } = 256;

    /// <summary>
    /// Completions per sampled prompt, one group (GRPO's num_generations); the samples of a prompt are adjacent rows and
    /// share <see cref="Episode.GroupId"/>. Default 1; range [1, 1,024], at least 2 for a group estimator (grpo, rloo, ...).
    /// </summary>
    public int SamplesPerPrompt { get; init; } = 1;

    /// <summary>
    /// Advantage estimator by name, a key of <see cref="Algorithms.AdvantageEstimators"/> (verl's names): "gae" (PPO with a
    /// critic), "grpo", "dr_grpo", "rloo", "reinforce_plus_plus", "reinforce_plus_plus_baseline" or a registered one. An
    /// estimator that needs no critic makes the trainer build no critic, value head or critic optimizer. Default "gae".
    /// </summary>
    public string AdvantageEstimator { get; init; } = Algorithms.AdvantageEstimators.Gae;

    /// <summary>What "grpo" divides group-centred scores by (TRL scale_rewards: Group, Batch or None). Default Group.</summary>
    public Algorithms.RewardScaling ScaleRewards { get; init; } = Algorithms.RewardScaling.Group;

    /// <summary>Added to the standard deviation the "grpo" estimator divides by. Default 1e-6; range (0, 1].</summary>
    public double AdvantageEpsilon { get; init; } = Algorithms.GroupAdvantages.DefaultEpsilon;

    /// <summary>
    /// TRL's GRPO loss_type or verl's loss_agg_mode by name (grpo, bnpo, dr_grpo, dapo, token-mean, seq-mean-token-mean,
    /// seq-mean-token-sum, seq-mean-token-sum-norm); when set it replaces <see cref="LossAggregation"/>. dr_grpo divides
    /// by minibatch episodes x <see cref="MaxNewTokens"/>. Default null (use LossAggregation).
    /// </summary>
    public string? LossType { get; init; }

    /// <summary>
    /// Leave completions cut at <see cref="MaxNewTokens"/> without EOS out of every loss (TRL mask_truncated_completions);
    /// they still count in group statistics. Default false.
    /// </summary>
    public bool MaskTruncatedCompletions { get; init; }

    /// <summary>
    /// DAPO's dynamic sampling without refill: drop the groups whose scores all agree (their group advantages are 0)
    /// before the update. Needs <see cref="SamplesPerPrompt"/> >= 2. Default false.
    /// </summary>
    public bool DropZeroStdGroups { get; init; }

    /// <summary>Passes over each rollout buffer (TRL num_ppo_epochs). Default 2; range [1, 100].</summary>
    public int PpoEpochs { get; init; } = 2;

    /// <summary>
    /// Minibatches per epoch (TRL num_mini_batches): with the default 256 episodes, 64 per optimizer step and 8 steps
    /// per iteration. Default 4 (was 2); range [1, EpisodesPerIteration].
    /// </summary>
    public int MiniBatches { get; init; } = 4;

    /// <summary>
    /// Rows per gradient micro-batch (TRL per_device_train_batch_size with gradient accumulation, verl
    /// ppo_micro_batch_size): each minibatch runs its forward and backward in chunks of this many rows, each in its
    /// own dispose scope, accumulating gradients before one optimizer step; every loss term is divided by the whole
    /// minibatch's normaliser (token count, sequence count or constant), so the step's gradient equals the unsplit one
    /// up to float rounding while the activation peak follows the micro-batch. Null (or at least the minibatch) runs the
    /// minibatch at once. Default null; range [1, 65,536] or null.
    /// </summary>
    public int? MicroBatchSize { get; init; }

    /// <summary>
    /// Rows per chunk of the rollout's no-grad scoring forwards over the whole buffer (the policy's old log-probs,
    /// reference log-probs, critic values): each chunk runs in its own dispose scope, so the peak of their intermediates follows the chunk, not the
    /// buffer; values equal the whole-buffer forward up to float rounding. Null or 0 scores the whole buffer at once.
    /// Default 16; range [0, 65,536] or null.
    /// </summary>
    public int? ScoringChunkSize { get; init; } = 16;

    /// <summary>
    /// Policy learning rate (AdamW). Default 3e-4 (was 2e-5), measured on width-64 models trained from scratch, where
    /// 2e-5 to 1e-4 left held-out accuracy flat and 1e-3 lost greedy accuracy (README "Why RL moves now"). Pretrained
    /// checkpoints of 100M+ parameters want far less: TRL uses 1e-6 to 3e-6. Range (0, 1].
    /// </summary>
    public double LearningRate { get; init; } = 3e-4;

    /// <summary>Critic learning rate (AdamW), for <see cref="ValueHeadPlacement.SeparateCritic"/>. Default 1e-4; range (0, 1].</summary>
    public double CriticLearningRate { get; init; } = 1e-4;

    /// <summary>Lower clip range of the ratio, 1 - ClipRangeLow (TRL cliprange). Default 0.2; range (0, 1).</summary>
    public double ClipRangeLow { get; init; } = 0.2;

    /// <summary>Upper clip range of the ratio, 1 + ClipRangeHigh: GRPO's epsilon_high (DAPO's clip-higher uses 0.28). Default 0.2; range (0, 10].</summary>
    public double ClipRangeHigh { get; init; } = 0.2;

    /// <summary>Dual-clip constant c for negative advantages (verl); null turns it off. Default 3; range (1, 100].</summary>
    public double? DualClip { get; init; } = 3.0;

    /// <summary>Clip range of the value update (TRL cliprange_value). Default 0.2; range (0, 1000].</summary>
    public double ValueClipRange { get; init; } = 0.2;

    /// <summary>Weight of the value loss (TRL vf_coef). Default 0.1; range [0, 100].</summary>
    public double ValueCoefficient { get; init; } = 0.1;

    /// <summary>Weight of the entropy bonus. Default 0; range [0, 1].</summary>
    public double EntropyCoefficient { get; init; }

    /// <summary>
    /// KL coefficient beta: TRL's kl_coef in the reward (<see cref="KlMode.InReward"/>, the initial value when
    /// <see cref="AdaptiveKlTarget"/> is set) or GRPO's beta on the k3 loss term (<see cref="KlMode.Loss"/>). With 0 and no
    /// adaptive target the trainer keeps no reference copy and runs no reference forward. Default 0.02; range [0, 10].
    /// </summary>
    public double KlCoefficient { get; init; } = 0.02;

    /// <summary>Where the KL enters: the reward (PPO) or the loss (GRPO, always k3). Default <see cref="KlMode.InReward"/>.</summary>
    public KlMode KlMode { get; init; } = KlMode.InReward;

    /// <summary>Estimator of the per-token KL to the reference policy in the reward (TRL kl_estimator). Default K1.</summary>
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

    /// <summary>
    /// Most new tokens per episode. Default null: the room left in the model's context after the longest prompt of the
    /// prompt set (as <see cref="Evaluation.EvaluationOptions.MaxNewTokens"/>). Range [1, 65,536]; an explicit value
    /// that does not fit after the longest prompt is an error naming the context length.
    /// </summary>
    public int? MaxNewTokens { get; init; }

    /// <summary>Added to the reward of an episode that ran out of tokens without EOS (TRL missing_eos_penalty); 0 = off. Default 0; range [-100, 0].</summary>
    public double MissingEosPenalty { get; init; }

    /// <summary>
    /// Multiply each token's clipped-surrogate term by the truncated importance weight min(exp(old - engine), cap),
    /// where old is the trainer's recomputed log-prob and engine the rollout engine's (TRL's
    /// vllm_importance_sampling_correction, verl's rollout correction). Default false (the engine's log-probs are then
    /// only logged). With <see cref="Rollouts.InProcessRolloutEngine"/> the two agree to rounding and the weights are about 1.
    /// </summary>
    public bool RolloutImportanceSampling { get; init; }

    /// <summary>The cap C of <see cref="RolloutImportanceSampling"/>'s weights. Default 2; range [1, 1000].</summary>
    public double RolloutImportanceSamplingCap { get; init; } = 2.0;

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

    /// <summary>
    /// Held-out evaluation every N iterations into the metrics (<see cref="EvalMetricNames"/>: eval/accuracy, ...);
    /// null evaluates nothing. Default null.
    /// </summary>
    public PeriodicEvaluationOptions? Evaluation { get; init; }

    /// <summary>TensorBoard folder, metrics CSV and custom sinks, all off by default. Default: <see cref="MetricsLogOptions"/>'s defaults.</summary>
    public MetricsLogOptions Logging { get; init; } = new();

    /// <summary>
    /// GRPO's presets (TRL GRPOConfig where it has one): the "grpo" estimator, 4 samples per prompt, group scaling, no
    /// critic, the KL as a loss term with beta 0 (so no reference), no dual clip, loss type "dapo". Change any with `with`.
    /// </summary>
    public static PpoOptions Grpo { get; } = new()
    {
        AdvantageEstimator = Algorithms.AdvantageEstimators.Grpo,
        SamplesPerPrompt = 4,
        KlMode = KlMode.Loss,
        KlCoefficient = 0,
        DualClip = null,
        LossType = Algorithms.LossAggregationNames.Dapo,
    };

    /// <summary>The loss aggregation the update uses: <see cref="LossType"/> parsed when set, else <see cref="LossAggregation"/>.</summary>
    public LossAggregation ResolvedLossAggregation => LossType is null ? LossAggregation : Algorithms.LossAggregationNames.Parse(LossType);

    /// <summary>Whether the trainer needs a frozen reference policy: a KL coefficient above 0 or an adaptive KL target.</summary>
    public bool NeedsReference => KlCoefficient > 0 || AdaptiveKlTarget is not null;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option out of range.</summary>
    public PpoOptions Validate()
    {
        Int(nameof(Iterations), Iterations, 1, 1_000_000);
        Int(nameof(EpisodesPerIteration), EpisodesPerIteration, 1, 65_536);
        Int(nameof(SamplesPerPrompt), SamplesPerPrompt, 1, 1_024);
        if (EpisodesPerIteration % SamplesPerPrompt != 0)
            throw new ArgumentOutOfRangeException(nameof(EpisodesPerIteration), EpisodesPerIteration,
                $"PpoOptions.EpisodesPerIteration ({EpisodesPerIteration}) must be a multiple of PpoOptions.SamplesPerPrompt ({SamplesPerPrompt}).");
        Algorithms.AdvantageEstimator estimator;
        try
        {
            estimator = Algorithms.AdvantageEstimators.Get(AdvantageEstimator);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new ArgumentOutOfRangeException(nameof(AdvantageEstimator), AdvantageEstimator, "PpoOptions." + e.Message.Split(" (Parameter")[0]);
        }
        if ((estimator.NeedsGroups || DropZeroStdGroups) && SamplesPerPrompt < 2)
            throw new ArgumentOutOfRangeException(nameof(SamplesPerPrompt), SamplesPerPrompt,
                $"PpoOptions.SamplesPerPrompt must be at least 2 for {(DropZeroStdGroups ? "DropZeroStdGroups" : $"the '{AdvantageEstimator}' advantage estimator")}, which compares the samples of a prompt; got {SamplesPerPrompt}.");
        if (!Enum.IsDefined(ScaleRewards)) throw Out(nameof(ScaleRewards), ScaleRewards, "Group, Batch or None");
        Open(nameof(AdvantageEpsilon), AdvantageEpsilon, 0, 1);
        if (LossType is not null && !Algorithms.LossAggregationNames.Names.Contains(LossType))
            throw Out(nameof(LossType), LossType, $"{{{string.Join(", ", Algorithms.LossAggregationNames.Names)}}} or null");
        if (!Enum.IsDefined(KlMode)) throw Out(nameof(KlMode), KlMode, "InReward or Loss");
        if (KlMode == KlMode.Loss && AdaptiveKlTarget is not null)
            throw new ArgumentOutOfRangeException(nameof(AdaptiveKlTarget), AdaptiveKlTarget, "PpoOptions.AdaptiveKlTarget must be null when PpoOptions.KlMode is Loss (the KL loss coefficient is fixed).");
        Int(nameof(PpoEpochs), PpoEpochs, 1, 100);
        Int(nameof(MiniBatches), MiniBatches, 1, EpisodesPerIteration);
        if (MicroBatchSize is { } micro) Int(nameof(MicroBatchSize), micro, 1, 65_536);
        if (ScoringChunkSize is { } chunk) Int(nameof(ScoringChunkSize), chunk, 0, 65_536);
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
        if (MaxNewTokens is { } maxNew) Int(nameof(MaxNewTokens), maxNew, 1, 65_536);
        Closed(nameof(RolloutImportanceSamplingCap), RolloutImportanceSamplingCap, 1, 1000);
        Closed(nameof(MissingEosPenalty), MissingEosPenalty, -100, 0);
        Closed(nameof(MaxGradNorm), MaxGradNorm, 0, 1e6);
        if (TargetKl is { } k && !(k > 0 && k <= 100)) throw Out(nameof(TargetKl), k, "(0, 100] or null");
        if (CheckpointFolder is { } folder && string.IsNullOrWhiteSpace(folder))
            throw new ArgumentOutOfRangeException(nameof(CheckpointFolder), folder, $"PpoOptions.CheckpointFolder must be a folder path or null; got \"{folder}\".");
        Int(nameof(CheckpointEvery), CheckpointEvery, 1, 1_000_000);
        Int(nameof(MaxNonFiniteIterations), MaxNonFiniteIterations, 1, 1000);
        Evaluation?.Validate($"PpoOptions.{nameof(Evaluation)}");
        (Logging ?? throw new ArgumentNullException(nameof(Logging), "PpoOptions.Logging must not be null.")).Validate($"PpoOptions.{nameof(Logging)}");
        return this;
    }

    /// <summary>
    /// The rollout length for prompts of at most <paramref name="longestPrompt"/> tokens under a context of
    /// <paramref name="contextLength"/>: <see cref="MaxNewTokens"/>, or all the room left when it is null.
    /// </summary>
    /// <exception cref="ArgumentException">No token fits, or an explicit <see cref="MaxNewTokens"/> does not fit.</exception>
    public int NewTokensFor(int longestPrompt, int contextLength) =>
        Generation.NewTokenBudget.Resolve(MaxNewTokens, "PpoOptions.MaxNewTokens", longestPrompt, contextLength);

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
