using System.Diagnostics;
using Ippo.MLNet.Core.Algorithms;
using Ippo.MLNet.Core.Generation;
using Ippo.MLNet.Core.Influence;
using Ippo.MLNet.Core.Logging;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Rewards;
using Ippo.MLNet.Core.Rollouts;
using Ippo.MLNet.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Ppo;

/// <summary>
/// PPO post-training of a causal LM, one iteration at a time: rollout, score, advantages, (filter), update, log.
/// Owns the frozen reference policy, the critic and the optimizers; trains the given policy in place. The advantage
/// estimator is chosen by name (<see cref="PpoOptions.AdvantageEstimator"/>): GRPO, RLOO and REINFORCE++ run the same
/// loop without a critic.
/// </summary>
public sealed partial class PpoTrainer : IDisposable
{
    private readonly Policy _policy;
    private readonly RewardFunction _reward;
    private readonly WeightedRewards? _rewards;
    private readonly PpoOptions _options;
    private readonly CausalLanguageModel? _reference;
    private readonly AdvantageEstimator _estimator;
    private readonly LossAggregation _aggregation;
    private readonly CriticModel? _critic;
    private readonly ValueHead? _sharedValueHead;
    private readonly TorchSharp.Modules.OptimizerHelper _policyOptimizer;
    private readonly TorchSharp.Modules.OptimizerHelper? _criticOptimizer;
    private readonly IRolloutEngine _engine;
    private readonly InProcessRolloutEngine? _ownedEngine;
    private bool _engineInSync;
    private IReadOnlyList<PromptExample>? _lengthResolvedFor;
    private readonly IKlController _kl;
    private readonly Device _device;
    private readonly List<PpoIterationMetrics> _history = new();
    private Random _random;
    private int _nonFiniteStreak;
    private readonly MetricsLog? _log;

    /// <summary>
    /// Prepares PPO for <paramref name="policy"/> (trained in place). The reference is a frozen copy of the policy as
    /// it is now (none when the KL coefficient is 0); a separate critic starts from a copy of the policy (any
    /// architecture), and exists only when the advantage estimator needs one. <paramref name="rolloutEngine"/> samples
    /// the rollouts (null: an <see cref="InProcessRolloutEngine"/> over the policy, owned by the trainer; an engine
    /// passed in stays the caller's to dispose).
    /// </summary>
    public PpoTrainer(Policy policy, RewardFunction reward, PpoOptions options, IEpisodeFilter? filter = null, IRolloutEngine? rolloutEngine = null)
    {
        _policy = policy ?? throw new ArgumentNullException(nameof(policy));
        _reward = reward ?? throw new ArgumentNullException(nameof(reward));
        _options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        Filter = filter;
        var model = policy.Model;
        _device = ModelDevice.Of(model);
        _random = new Random(IterationSeeds.For(options.Seed, 1, IterationSeeds.Trainer));
        _estimator = AdvantageEstimators.Get(_options.AdvantageEstimator);
        _aggregation = _options.ResolvedLossAggregation;
        // With LoRA the reference is the policy with its adapters off: no copy.
        if (_options.NeedsReference && model.Lora is null)
        {
            _reference = ModelDevice.CopyOf(model);
            _reference.eval();
            foreach (var p in _reference.parameters()) p.requires_grad = false;
        }
        // Frozen base weights (LoRA) stay out of the optimizer: it holds the adapters (and a shared value head).
        var policyParameters = model.parameters().Where(p => p.requires_grad).ToList();
        if (!_estimator.NeedsCritic)
        {
            // Critic-free estimators (GRPO, RLOO, REINFORCE++): no critic, no value head, no critic optimizer.
        }
        else if (options.ValueHead == ValueHeadPlacement.SeparateCritic)
        {
            _critic = CriticModel.FromPolicy(model);
            _criticOptimizer = optim.AdamW(_critic.parameters().Where(p => p.requires_grad), lr: options.CriticLearningRate, weight_decay: 0);
        }
        else
        {
            _sharedValueHead = new ValueHead(model.Config);
            _sharedValueHead.to(_device, ModelDevice.DtypeOf(model));
            policyParameters.AddRange(_sharedValueHead.parameters());
        }
        _policyOptimizer = optim.AdamW(policyParameters, lr: options.LearningRate, weight_decay: 0);
        _ownedEngine = rolloutEngine is null ? new InProcessRolloutEngine(policy) : null;
        _engine = rolloutEngine ?? _ownedEngine!;
        // In loss mode the reward carries no KL: its controller stays at 0 and the loss term reads KlCoefficient.
        _kl = options.AdaptiveKlTarget is { } target
            ? new AdaptiveKlController(options.KlCoefficient, target, options.AdaptiveKlHorizon)
            : new FixedKlController(options.KlMode == KlMode.Loss ? 0 : options.KlCoefficient);
        _log = MetricsLog.Open(options.Logging);
    }

    /// <summary>
    /// Prepares PPO scored by several rewards (TRL's reward_funcs and reward_weights): an episode's reward is their
    /// weighted sum, and every iteration logs each reward's mean and standard deviation
    /// (<see cref="WeightedRewards.MeanMetric"/>, <see cref="WeightedRewards.StdMetric"/>). Otherwise as the other constructor.
    /// </summary>
    public PpoTrainer(Policy policy, WeightedRewards rewards, PpoOptions options, IEpisodeFilter? filter = null, IRolloutEngine? rolloutEngine = null)
        : this(policy, (rewards ?? throw new ArgumentNullException(nameof(rewards))).AsFunction(), options, filter, rolloutEngine) => _rewards = rewards;

    /// <summary>The model being trained (in place).</summary>
    public CausalLanguageModel Policy => _policy.Model;

    /// <summary>The policy being trained, with its tokenizer.</summary>
    public Policy PolicyWithTokenizer => _policy;

    /// <summary>
    /// The frozen reference policy (the policy as it was when training started), or null when the KL coefficient is 0
    /// or when the policy has LoRA adapters (then the reference is the policy with its adapters off, <see cref="ReferenceIsBaseModel"/>).
    /// </summary>
    public CausalLanguageModel? Reference => _reference;

    /// <summary>True when the run needs a reference and takes it from the policy's frozen base (LoRA adapters switched off) rather than a copy.</summary>
    public bool ReferenceIsBaseModel => _options.NeedsReference && _reference is null;

    /// <summary>The advantage estimator named by <see cref="PpoOptions.AdvantageEstimator"/>.</summary>
    public AdvantageEstimator Estimator => _estimator;

    /// <summary>The shared value head (<see cref="ValueHeadPlacement.SharedTrunk"/> with a critic-based estimator), or null.</summary>
    public ValueHead? SharedValueHead => _sharedValueHead;

    /// <summary>Every parameter the policy optimizer holds (the policy's, plus a shared value head's), read from the optimizer.</summary>
    public IReadOnlyList<TorchSharp.Modules.Parameter> OptimizedParameters => _policyOptimizer.parameters().ToList();

    /// <summary>Whether a critic optimizer exists (a separate critic with a critic-based estimator).</summary>
    public bool HasCriticOptimizer => _criticOptimizer is not null;

    /// <summary>The engine that samples the rollouts (<see cref="InProcessRolloutEngine"/> unless one was passed in).</summary>
    public IRolloutEngine RolloutEngine => _engine;

    /// <summary>
    /// The rollout length in use: <see cref="PpoOptions.MaxNewTokens"/>, or the room the model's context leaves after
    /// the longest prompt of the prompt set when that is null. Null before the first rollout.
    /// </summary>
    public int? ResolvedMaxNewTokens { get; private set; }

    /// <summary>The options, validated.</summary>
    public PpoOptions Options => _options;

    /// <summary>The episode filter (I-PPO's influence filter), or null for plain PPO.</summary>
    public IEpisodeFilter? Filter { get; }

    /// <summary>The separate critic, or null when the value head reads the policy's own hidden states.</summary>
    public CriticModel? Critic => _critic;

    /// <summary>Iterations completed so far (including those before a resumed checkpoint).</summary>
    public int IterationsDone { get; private set; }

    /// <summary>Metrics of every iteration completed so far, those before a resumed checkpoint included.</summary>
    public IReadOnlyList<PpoIterationMetrics> History => _history;

    /// <summary>
    /// Runs the remaining iterations up to <see cref="PpoOptions.Iterations"/>, reporting each through
    /// <paramref name="onIteration"/>. Cancellation and the filter's stop rule end the run between iterations. With a
    /// <see cref="PpoOptions.CheckpointFolder"/>, a checkpoint is written every <see cref="PpoOptions.CheckpointEvery"/>
    /// iterations and when the run ends for any reason but an error.
    /// </summary>
    public PpoRunResult Train(IReadOnlyList<PromptExample> prompts, Action<PpoIterationMetrics>? onIteration = null, CancellationToken cancellationToken = default)
    {
        var history = new List<PpoIterationMetrics>();
        string? stopReason = Filter?.StopReason;
        int checkpointed = -1;
        while (stopReason is null && IterationsDone < _options.Iterations)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                stopReason = $"Cancelled after iteration {IterationsDone}.";
                break;
            }
            var values = RunIteration(prompts);
            // A non-finite iteration keeps the last good checkpoint rather than writing over it.
            bool due = _options.CheckpointFolder is not null && (IterationsDone + 1) % _options.CheckpointEvery == 0 && _nonFiniteStreak == 0;
            values[MetricNames.CheckpointWritten] = due ? 1 : 0;
            var metrics = Record(values);
            if (due)
            {
                SaveCheckpoint(_options.CheckpointFolder!);
                checkpointed = IterationsDone;
            }
            history.Add(metrics);
            onIteration?.Invoke(metrics);
            stopReason = Filter?.StopReason;
        }
        if (_options.CheckpointFolder is { } folder && checkpointed != IterationsDone && IterationsDone > 0 && _nonFiniteStreak == 0)
            SaveCheckpoint(folder);
        return new PpoRunResult(history, stopReason);
    }

    /// <summary>
    /// Runs one iteration on prompts drawn from <paramref name="prompts"/> and returns its metrics. Every random draw
    /// comes from generators reseeded from (<see cref="PpoOptions.Seed"/>, iteration). A rollout, loss or gradient
    /// that is not finite skips the update (weights untouched) and counts towards <see cref="PpoOptions.MaxNonFiniteIterations"/>.
    /// </summary>
    /// <exception cref="NonFiniteTrainingException">Too many iterations in a row were not finite.</exception>
    public PpoIterationMetrics Step(IReadOnlyList<PromptExample> prompts) => Record(RunIteration(prompts));

    private Dictionary<string, double> RunIteration(IReadOnlyList<PromptExample> prompts)
    {
        Reseed(IterationsDone + 1);
        var metrics = new Dictionary<string, double>();
        using var collected = CollectRollout(prompts, metrics);
        bool finite = IsFinite(collected);
        metrics[MetricNames.NonFiniteRollout] = finite ? 0 : 1;
        using var dropped = finite && _options.DropZeroStdGroups ? DropZeroStdGroups(collected, metrics) : null;
        var buffer = dropped ?? collected;
        _log?.Rollout(buffer.Episodes); // the episodes the filter scores, so its scores line up with them
        if (finite && buffer.Count > 0)
        {
            var selection = SelectEpisodes(buffer, metrics);
            Update(buffer, selection, metrics);
        }
        else if (finite)
        {
            metrics[MetricNames.Episodes] = metrics[MetricNames.KeptEpisodes] = metrics[MetricNames.KeptFraction] = 0;
            metrics[MetricNames.UpdateSteps] = 0;
        }
        _kl.Update(metrics[MetricNames.Kl], collected.Count);
        if (metrics.GetValueOrDefault(MetricNames.UpdateSteps) > 0) _engineInSync = false;
        if (!_engineInSync) SyncEngine(metrics); // after every update, so the engine holds the weights the next rollout needs
        bool skipped = !finite || metrics.GetValueOrDefault(MetricNames.SkippedSteps) > 0;
        _nonFiniteStreak = skipped ? _nonFiniteStreak + 1 : 0;
        metrics[MetricNames.NonFiniteStreak] = _nonFiniteStreak;
        if (_options.Evaluation is { } evaluation && evaluation.IsDue(IterationsDone + 1, _options.Iterations))
            foreach (var (name, value) in EvaluateHeldOut(evaluation)) metrics[name] = value;
        return metrics;
    }

    // Its own generator and seed: the training draws stay what they would be without evaluation.
    private IReadOnlyDictionary<string, double> EvaluateHeldOut(PeriodicEvaluationOptions evaluation)
    {
        var clock = Stopwatch.StartNew();
        var sampling = evaluation.Sampling.MaxNewTokens is null
            ? evaluation.Sampling with { MaxNewTokens = _options.MaxNewTokens }
            : evaluation.Sampling;
        var result = Evaluation.PolicyEvaluator.Evaluate(_policy, evaluation.Prompts!, evaluation.Judge!, sampling);
        var values = new Dictionary<string, double>(EvalMetricNames.Of(result.Metrics)) { [EvalMetricNames.Seconds] = clock.Elapsed.TotalSeconds };
        return values;
    }

    private PpoIterationMetrics Record(Dictionary<string, double> values)
    {
        IterationsDone++;
        var metrics = new PpoIterationMetrics(IterationsDone, values);
        _history.Add(metrics);
        _log?.Iteration(metrics, Filter, _history);
        if (_nonFiniteStreak >= _options.MaxNonFiniteIterations)
            throw new NonFiniteTrainingException(
                $"PPO stopped at iteration {IterationsDone}: {_nonFiniteStreak} iterations in a row had a non-finite rollout, loss or gradient " +
                $"(PpoOptions.MaxNonFiniteIterations is {_options.MaxNonFiniteIterations}). Their updates were skipped, so the weights are the last finite ones. " +
                "Lower the learning rate, check the reward function, or load the last checkpoint.", IterationsDone);
        return metrics;
    }

    private void Reseed(int iteration)
    {
        _random = new Random(IterationSeeds.For(_options.Seed, iteration, IterationSeeds.Trainer));
        if (Policy.Config.Dropout > 0) manual_seed(IterationSeeds.For(_options.Seed, iteration, IterationSeeds.Dropout));
    }

    private static bool IsFinite(RolloutBuffer buffer)
    {
        using var scope = NewDisposeScope();
        var all = new[] { buffer.OldLogProbs, buffer.RefLogProbs, buffer.Values, buffer.Advantages, buffer.Returns }
            .OfType<Tensor>().Select(t => t.isfinite().all()).ToArray();
        return stack(all).all().item<bool>();
    }

    // DAPO's dynamic sampling without refill: the episodes of groups whose scores differ, or null when every group does.
    private static RolloutBuffer? DropZeroStdGroups(RolloutBuffer buffer, IDictionary<string, double> metrics)
    {
        bool[] keep;
        using (NewDisposeScope())
            keep = Groups.KeepMask(buffer.Scores, buffer.GroupIds!).cpu().data<bool>().ToArray();
        metrics[MetricNames.DroppedZeroStdEpisodes] = keep.Count(k => !k);
        if (keep.All(k => k)) return null;
        return buffer.Select(Enumerable.Range(0, keep.Length).Where(i => keep[i]).ToList());
    }

    /// <summary>
    /// Phase 1 of an iteration: samples episodes, scores them with the reward, the reference and the critic, and
    /// computes KL-shaped rewards and advantages. The caller owns the buffer. Writes its metrics to <paramref name="metrics"/>.
    /// </summary>
    public RolloutBuffer CollectRollout(IReadOnlyList<PromptExample> prompts, IDictionary<string, double> metrics)
    {
        if (prompts is null || prompts.Count == 0) throw new ArgumentException("The prompt set is empty.", nameof(prompts));
        var clock = Stopwatch.StartNew();
        var buffer = Rollout(prompts, metrics);
        metrics[MetricNames.RolloutSeconds] = Lap(clock) - metrics[MetricNames.ScoringSeconds];
        ComputeAdvantages(buffer, metrics);
        if (_options.RolloutImportanceSampling) ApplyImportanceWeights(buffer, metrics);
        metrics[MetricNames.ScoringSeconds] += Lap(clock);
        return buffer;
    }

    // The clipped surrogate (dual clip included) is positively homogeneous in the advantage: w * loss(A) = loss(w * A)
    // for w > 0, so scaling each token's advantage by its weight multiplies its policy-gradient term by that weight,
    // in the update and in the influence scores alike. The value and KL terms do not read advantages.
    private void ApplyImportanceWeights(RolloutBuffer buffer, IDictionary<string, double> metrics)
    {
        using var scope = NewDisposeScope();
        var weights = RolloutCorrection.TruncatedImportanceWeights(buffer.OldLogProbs, buffer.EngineLogProbs!, buffer.ResponseMask, _options.RolloutImportanceSamplingCap);
        var weighted = (buffer.Advantages! * weights.to(buffer.Advantages!.dtype)).DetachFromDisposeScope();
        buffer.Advantages.Dispose();
        buffer.Advantages = weighted;
        buffer.ImportanceWeights = weights.DetachFromDisposeScope();
        var (min, mean, max) = RolloutCorrection.Summary(buffer.ImportanceWeights, buffer.ResponseMask);
        metrics[RolloutMetricNames.ImportanceRatioMin] = min;
        metrics[RolloutMetricNames.ImportanceRatioMean] = mean;
        metrics[RolloutMetricNames.ImportanceRatioMax] = max;
    }

    private List<RolloutCompletion> Sample(IReadOnlyList<int[]> drawIds, IReadOnlyList<PromptExample> prompts, IDictionary<string, double> metrics)
    {
        int maxNew = ResolveMaxNewTokens(prompts);
        if (!_engineInSync) SyncEngine(metrics);
        var request = new RolloutRequest(
            drawIds, _options.SamplesPerPrompt, new GenerationOptions { Temperature = _options.Temperature, MaxNewTokens = maxNew },
            _policy.Tokenizer.EosIds.ToArray(), IterationSeeds.For(_options.Seed, IterationsDone + 1, IterationSeeds.Sampling));
        var completions = _engine.GenerateAsync(request).GetAwaiter().GetResult();
        RolloutCompletions.Check(request, completions, _policy.DrawableVocabSize, _engine.GetType().Name);
        return completions.ToList();
    }

    private void SyncEngine(IDictionary<string, double> metrics)
    {
        var clock = Stopwatch.StartNew();
        _engine.SyncWeightsAsync(_policy).GetAwaiter().GetResult();
        _engineInSync = true;
        metrics[RolloutMetricNames.WeightSyncSeconds] = (metrics.TryGetValue(RolloutMetricNames.WeightSyncSeconds, out var before) ? before : 0) + clock.Elapsed.TotalSeconds;
    }

    // Once per prompt set: the longest prompt of the set fixes the length, so dr_grpo's constant stays the same across iterations.
    private int ResolveMaxNewTokens(IReadOnlyList<PromptExample> prompts)
    {
        if (ResolvedMaxNewTokens is { } known && ReferenceEquals(prompts, _lengthResolvedFor)) return known;
        int longest = prompts.Max(p => _policy.EncodePrompt(p.Prompt).Length);
        ResolvedMaxNewTokens = _options.NewTokensFor(longest, Policy.Config.ContextLength);
        _lengthResolvedFor = prompts;
        return ResolvedMaxNewTokens.Value;
    }

    // The engine's log-probs, right-padded with 0 [rows, width].
    private Tensor EngineLogProbs(IReadOnlyList<RolloutCompletion> completions, int width)
    {
        var values = new float[completions.Count * width];
        for (int i = 0; i < completions.Count; i++) completions[i].LogProbs.CopyTo(values, i * width);
        return tensor(values, new long[] { completions.Count, width }, device: _device);
    }

    /// <summary>Phase 2: the filter's decision (all episodes, weight 1, without a filter).</summary>
    public EpisodeSelection SelectEpisodes(RolloutBuffer buffer, IDictionary<string, double> metrics)
    {
        var clock = Stopwatch.StartNew();
        Policy.train();
        var selection = Filter?.Select(buffer, this) ?? EpisodeSelection.All(buffer.Count);
        foreach (var (k, v) in selection.Metrics) metrics[k] = v;
        metrics[MetricNames.Episodes] = buffer.Count;
        metrics[MetricNames.KeptEpisodes] = selection.Kept.Count;
        metrics[MetricNames.KeptFraction] = buffer.Count == 0 ? 0 : (double)selection.Kept.Count / buffer.Count;
        metrics[MetricNames.FilterSeconds] = clock.Elapsed.TotalSeconds;
        return selection;
    }

    /// <summary>
    /// Phase 3: PPO epochs over the kept, weighted episodes (skipped when none is kept). Disposes the selection's
    /// scoring pass, reusing it for the first minibatch step when the options allow.
    /// </summary>
    public void Update(RolloutBuffer buffer, EpisodeSelection selection, IDictionary<string, double> metrics)
    {
        var clock = Stopwatch.StartNew();
        using var scoringPass = selection.ScoringPass;
        if (selection.Kept.Count > 0)
        {
            using var kept = buffer.Select(selection.Kept);
            if (selection.Weights is not null)
                kept.Weights = tensor(selection.Weights.ToArray(), device: _device).DetachFromDisposeScope();
            var fused = scoringPass is not null && CanFuse ? new FusedFirstStep(scoringPass, selection.Kept) : null;
            Update(kept, metrics, fused);
            metrics[MetricNames.FusedFirstStep] = fused is null ? 0 : 1;
        }
        metrics[MetricNames.UpdateSeconds] = clock.Elapsed.TotalSeconds;
    }

    private RolloutBuffer Rollout(IReadOnlyList<PromptExample> prompts, IDictionary<string, double> metrics)
    {
        // Each draw of a prompt is one group of SamplesPerPrompt adjacent rows (with 1 sample: one row per draw, as PPO).
        int samples = _options.SamplesPerPrompt;
        var draws = Enumerable.Range(0, _options.EpisodesPerIteration / samples).Select(_ => _random.Next(prompts.Count)).ToArray();
        var picked = draws.SelectMany(p => Enumerable.Repeat(p, samples)).ToArray();
        var drawIds = draws.Select(i => _policy.EncodePrompt(prompts[i].Prompt)).ToList();
        var ids = drawIds.SelectMany(p => Enumerable.Repeat(p, samples)).ToList();
        var generated = Sample(drawIds, prompts, metrics);
        using var scope = NewDisposeScope();
        var (promptTokens, promptMask) = PromptBatch.LeftPad(ids, _policy.Tokenizer.PadId, _device);
        var (responseTokens, responseMask) = PromptBatch.RightPad(generated.Select(c => c.TokenIds).ToList(), _policy.Tokenizer.PadId, _device);
        var engineLogProbs = EngineLogProbs(generated, (int)responseTokens.shape[1]);
        var clock = Stopwatch.StartNew();
        var episodes = new List<Episode>(picked.Length);
        var components = new List<double[]>(_rewards is null ? 0 : picked.Length);
        for (int row = 0; row < picked.Length; row++)
        {
            var example = prompts[picked[row]];
            bool eos = generated[row].EndedWithStop;
            var text = _policy.Tokenizer.Decode(eos ? generated[row].TokenIds[..^1] : generated[row].TokenIds);
            double reward = ScoreOne(picked[row], example, text, eos, components);
            if (!eos) reward += _options.MissingEosPenalty;
            episodes.Add(new Episode(picked[row], example.Prompt, text, example.Reference, eos, reward, row / samples));
        }
        Tensor oldLogProbs;
        Tensor? refLogProbs = null, values = null;
        using (no_grad())
        {
            // Row chunks, each in its own dispose scope (PpoOptions.ScoringChunkSize): the forwards' intermediates die per chunk.
            var scored = new[] { promptTokens, promptMask, responseTokens, responseMask };
            int? chunk = _options.ScoringChunkSize;
            Tensor LogProbsUnder(CausalLanguageModel model) => ChunkedScoring.ByRows(scored, chunk,
                x => new[] { SequenceScoring.LogProbsAndEntropy(model, x[0], x[1], x[2], x[3], _options.Temperature).LogProbs })[0];
            // The old log-probs are always the training policy's (as verl): the engine's serve only as a diagnostic.
            bool wasTraining = Policy.training;
            Policy.eval();
            try { oldLogProbs = LogProbsUnder(Policy); }
            finally { Policy.train(wasTraining); }
            if (_reference is not null)
                refLogProbs = LogProbsUnder(_reference);
            else if (ReferenceIsBaseModel)
                using (Policy.Lora!.Disable())
                    refLogProbs = LogProbsUnder(Policy);
            if (_estimator.NeedsCritic)
                values = ChunkedScoring.ByRows(scored, chunk, x => new[] { Values(x[0], x[1], x[2], x[3]) })[0];
        }
        metrics[MetricNames.ScoringSeconds] = clock.Elapsed.TotalSeconds;
        var (gapMean, gapMax) = RolloutCorrection.LogProbDifference(oldLogProbs, engineLogProbs, responseMask);
        metrics[RolloutMetricNames.LogProbDifferenceMean] = gapMean.item<double>();
        metrics[RolloutMetricNames.LogProbDifferenceMax] = gapMax.item<double>();
        var buffer = new RolloutBuffer
        {
            Episodes = episodes,
            PromptTokens = promptTokens.DetachFromDisposeScope(),
            PromptMask = promptMask.DetachFromDisposeScope(),
            ResponseTokens = responseTokens.DetachFromDisposeScope(),
            ResponseMask = responseMask.DetachFromDisposeScope(),
            OldLogProbs = oldLogProbs.DetachFromDisposeScope(),
            RefLogProbs = refLogProbs?.DetachFromDisposeScope(),
            Values = values?.DetachFromDisposeScope(),
            GroupIds = Groups.Ids(draws.Length, samples, _device).DetachFromDisposeScope(),
            Scores = tensor(episodes.Select(e => (float)e.Reward).ToArray(), device: _device).DetachFromDisposeScope(),
        };
        buffer.EngineLogProbs = engineLogProbs.DetachFromDisposeScope();
        metrics[MetricNames.Scores] = episodes.Average(e => e.Reward);
        if (_rewards is not null)
            foreach (var (name, value) in _rewards.Metrics(components)) metrics[name] = value;
        metrics[MetricNames.EosFraction] = episodes.Count(e => e.EndedWithEos) / (double)episodes.Count;
        metrics[MetricNames.ResponseLength] = buffer.ResponseMask.sum(dim: 1).mean().item<float>();
        return buffer;
    }

    private double ScoreOne(int promptIndex, PromptExample example, string completion, bool endedWithEos, List<double[]> components)
    {
        double reward;
        try
        {
            var input = new RewardInput(example.Prompt, completion, example.Reference, endedWithEos);
            if (_rewards is null) reward = _reward(input);
            else
            {
                var parts = _rewards.Components(input);
                components.Add(parts);
                reward = _rewards.Combine(parts);
            }
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"The reward function threw for prompt row {promptIndex} (\"{example.Prompt}\"): {e.Message}", e);
        }
        if (!double.IsFinite(reward))
            throw new InvalidOperationException($"The reward function returned {reward} for prompt row {promptIndex} (\"{example.Prompt}\"); rewards must be finite.");
        return reward;
    }

    private Tensor Values(Tensor promptTokens, Tensor promptMask, Tensor responseTokens, Tensor responseMask)
    {
        if (_critic is not null)
        {
            var tokens = cat(new[] { promptTokens, responseTokens }, 1);
            var mask = cat(new[] { promptMask, responseMask }, 1);
            var all = _critic.Forward(tokens, mask);
            return all.narrow(1, promptTokens.shape[1] - 1, responseTokens.shape[1]) * responseMask;
        }
        var hidden = SequenceScoring.ResponseHidden(Policy, promptTokens, promptMask, responseTokens, responseMask);
        return _sharedValueHead!.call(hidden) * responseMask;
    }

    private void ComputeAdvantages(RolloutBuffer buffer, IDictionary<string, double> metrics)
    {
        using var scope = NewDisposeScope();
        // Without a reference the KL is 0: the old log-probs stand in for the reference ones (every estimator gives 0 on equal inputs).
        var refLogProbs = buffer.RefLogProbs ?? buffer.OldLogProbs;
        var klEstimator = _options.KlMode == KlMode.Loss ? KlEstimator.K3 : _options.KlEstimator;
        var (tokenRewards, kl) = RewardShaping.FoldKlIntoRewards(buffer.Scores, buffer.OldLogProbs, refLogProbs, buffer.ResponseMask, _kl.Value, klEstimator);
        var settings = new AdvantageSettings
        {
            Gamma = _options.Gamma, Lambda = _options.Lambda, WhitenAdvantages = _options.WhitenAdvantages,
            ScaleRewards = _options.ScaleRewards, Epsilon = _options.AdvantageEpsilon,
        };
        var (advantages, returns) = _estimator.Compute(new AdvantageInputs(tokenRewards, buffer.ResponseMask, buffer.GroupIds, buffer.Values), settings);
        buffer.TokenRewards = tokenRewards.DetachFromDisposeScope();
        buffer.Kl = kl.DetachFromDisposeScope();
        buffer.Advantages = advantages.DetachFromDisposeScope();
        buffer.Returns = returns.DetachFromDisposeScope();
        var truncated = tensor(buffer.Episodes.Select(e => !e.EndedWithEos).ToArray(), device: _device);
        if (_options.MaskTruncatedCompletions)
            buffer.LossMask = CompletionMasks.MaskTruncated(buffer.ResponseMask, truncated).DetachFromDisposeScope();
        var klPerEpisode = kl.sum(dim: 1);
        metrics[MetricNames.Kl] = klPerEpisode.mean().item<float>();
        metrics[MetricNames.RlhfReward] = (buffer.Scores - _kl.Value * klPerEpisode).mean().item<float>();
        metrics[MetricNames.KlCoefficient] = _options.KlMode == KlMode.Loss ? _options.KlCoefficient : _kl.Value;
        if (buffer.Values is not null)
            metrics[MetricNames.ExplainedVariance] = PpoDiagnostics.ExplainedVariance(buffer.Values, returns, buffer.ResponseMask);
        if (!_estimator.NeedsCritic || _options.SamplesPerPrompt > 1)
        {
            foreach (var (name, value) in GrpoRolloutMetrics.Compute(buffer.Scores.to(ScalarType.Float64), buffer.GroupIds!, buffer.ResponseMask, truncated))
                metrics[name] = value;
            if (_options.NeedsReference) metrics[GrpoMetricNames.Kl] = MaskedStats.MaskedMean(kl, buffer.ResponseMask).item<float>();
        }
    }

    // The scoring pass's gradient is the first minibatch's policy gradient only when nothing else reaches the policy:
    // no value loss through the policy's trunk, no entropy bonus, no dropout.
    private bool CanFuse => _sharedValueHead is null && _options.EntropyCoefficient == 0 && Policy.Config.Dropout == 0;

    private sealed record FusedFirstStep(EpisodeForward Pass, IReadOnlyList<int> KeptRows);

    private static readonly string[] CriticStepMetrics =
    {
        MetricNames.PolicyLoss, MetricNames.ValueLoss, MetricNames.ClipFraction, MetricNames.ApproxKl,
        MetricNames.ValueClipFraction, MetricNames.Entropy, MetricNames.Ratio,
    };

    // Critic-free runs log no value metrics; they add TRL's GRPO names for the entropy, clip ratios and KL loss.
    private static readonly string[] CriticFreeStepMetrics =
    {
        MetricNames.PolicyLoss, MetricNames.ClipFraction, MetricNames.ApproxKl, MetricNames.Entropy, MetricNames.Ratio,
        GrpoMetricNames.Entropy, GrpoMetricNames.ClipRatioLowMean, GrpoMetricNames.ClipRatioHighMean, GrpoMetricNames.ClipRatioRegionMean,
    };

    private const string KlLossMetric = "loss/kl_avg";

    private string[] StepMetrics => _estimator.NeedsCritic ? CriticStepMetrics
        : _options.KlMode == KlMode.Loss && _options.NeedsReference ? CriticFreeStepMetrics.Append(KlLossMetric).ToArray() : CriticFreeStepMetrics;

    private void Update(RolloutBuffer buffer, IDictionary<string, double> metrics, FusedFirstStep? fused)
    {
        Policy.train();
        _critic?.train();
        int n = buffer.Count;
        int miniBatches = Math.Min(_options.MiniBatches, n);
        var names = StepMetrics;
        var sums = new double[names.Length];
        int steps = 0, skipped = 0;
        var lossMask = buffer.LossMask ?? buffer.ResponseMask;
        double[] tokensPerRow;
        using (NewDisposeScope()) tokensPerRow = lossMask.sum(dim: 1).cpu().to(ScalarType.Float64).data<double>().ToArray();
        bool stopped = false;
        for (int epoch = 0; epoch < _options.PpoEpochs && !stopped; epoch++)
        {
            var order = Enumerable.Range(0, n).OrderBy(_ => _random.Next()).ToArray();
            for (int m = 0; m < miniBatches; m++)
            {
                var rows = order.Where((_, i) => i % miniBatches == m).ToArray();
                if (rows.All(r => tokensPerRow[r] == 0)) continue; // every completion masked out (truncated): nothing to learn from
                var stats = UpdateMiniBatch(buffer, rows, steps + skipped == 0 ? fused : null);
                if (stats is null)
                {
                    skipped++;
                    continue;
                }
                for (int k = 0; k < sums.Length; k++) sums[k] += stats[k];
                steps++;
                if (_options.TargetKl is { } target && stats[Array.IndexOf(names, MetricNames.ApproxKl)] > target)
                {
                    stopped = true;
                    break;
                }
            }
        }
        for (int k = 0; k < sums.Length; k++) metrics[names[k]] = steps == 0 ? double.NaN : sums[k] / steps;
        metrics[MetricNames.UpdateSteps] = steps;
        metrics[MetricNames.SkippedSteps] = skipped;
        metrics[MetricNames.TargetKlStop] = stopped ? 1 : 0;
    }

    /// <summary>
    /// One minibatch step; returns its <see cref="StepMetrics"/>, or null when it was skipped as not finite. With
    /// <see cref="PpoOptions.MicroBatchSize"/> below the minibatch, forward and backward run per micro-batch (each in its
    /// own dispose scope) with every loss term divided by the whole minibatch's normaliser, so the accumulated gradient is
    /// the unsplit one; the statistics are computed once over the whole minibatch from the detached outputs.
    /// </summary>
    private float[]? UpdateMiniBatch(RolloutBuffer buffer, int[] rows, FusedFirstStep? fused, bool step = true)
    {
        using var scope = NewDisposeScope();
        using var index = tensor(rows.Select(r => (long)r).ToArray(), device: _device);
        Tensor Rows(Tensor t) => t.index_select(0, index);
        var promptTokens = Rows(buffer.PromptTokens);
        var promptMask = Rows(buffer.PromptMask);
        var responseTokens = Rows(buffer.ResponseTokens);
        var mask = Rows(buffer.ResponseMask);
        var lossMask = buffer.LossMask is null ? mask : Rows(buffer.LossMask);
        var weights = buffer.Weights is null ? null : Rows(buffer.Weights);
        var oldLogProbs = Rows(buffer.OldLogProbs);
        var advantages = Rows(buffer.Advantages!);
        var oldValues = _estimator.NeedsCritic ? Rows(buffer.Values!) : null;
        var returns = _estimator.NeedsCritic ? Rows(buffer.Returns!) : null;
        var refLogProbs = _options.KlMode == KlMode.Loss && _options.NeedsReference ? Rows(buffer.RefLogProbs!) : null;
        // dr_grpo's constant: each episode's token sum over MaxNewTokens, averaged over the minibatch.
        double? denominator = _aggregation == LossAggregation.SequenceMeanTokenSumNorm ? (double)rows.Length * ResolvedMaxNewTokens!.Value : null;

        Tensor? fusedLogProbs = null, fusedEntropy = null;
        Dictionary<string, Tensor>? assembled = null;
        if (fused is not null)
        {
            // Same parameters as the scoring pass: its pieces give this minibatch's policy gradient without a backward.
            using var bufferRows = tensor(rows.Select(r => (long)fused.KeptRows[r]).ToArray(), device: _device);
            fusedLogProbs = fused.Pass.LogProbs.index_select(0, bufferRows);
            fusedEntropy = fused.Pass.Entropy.index_select(0, bufferRows);
            assembled = fused.Pass.Gradients.Assemble(bufferRows, EpisodeLoss.Coefficients(lossMask, weights, _aggregation));
        }

        var chunks = MicroBatches(rows.Length);
        bool split = chunks.Count > 1;
        // Each micro-batch divides by the whole minibatch's normalisers, so the micro-batch gradients add up to the minibatch's.
        double? policyDenominator = split ? LossAggregator.Denominator(lossMask, _aggregation, denominator) : denominator;
        double? valueDenominator = split ? LossAggregator.Denominator(mask, _options.LossAggregation) : null;
        double? entropyDenominator = split ? LossAggregator.Denominator(mask, LossAggregation.TokenMean) : null;
        _policyOptimizer.zero_grad();
        _criticOptimizer?.zero_grad();
        var logProbParts = new List<Tensor>();
        var entropyParts = new List<Tensor>();
        var valueParts = new List<Tensor>();
        foreach (var (start, length) in chunks)
        {
            using var microScope = NewDisposeScope();
            Tensor Part(Tensor t) => split ? t.narrow(0, start, length) : t;
            var (pt, pm, rt, m, lm) = (Part(promptTokens), Part(promptMask), Part(responseTokens), Part(mask), Part(lossMask));
            Tensor? hidden = null;
            Tensor logProbs, entropy;
            if (fused is null)
            {
                hidden = SequenceScoring.ResponseHidden(Policy, pt, pm, rt, m);
                (logProbs, entropy) = SequenceScoring.FromHidden(Policy, hidden, rt, m, _options.Temperature);
            }
            else (logProbs, entropy) = (Part(fusedLogProbs!), Part(fusedEntropy!));
            var meanEntropy = entropyDenominator is { } e ? LossAggregator.Aggregate(entropy, m, LossAggregation.TokenMean, e) : MaskedStats.MaskedMean(entropy, m);
            Tensor loss;
            if (_estimator.NeedsCritic)
            {
                var newValues = _critic is not null ? Values(pt, pm, rt, m) : _sharedValueHead!.call(hidden!) * m;
                var value = ValueLoss.Clipped(newValues, Part(oldValues!), Part(returns!), m, _options.ValueClipRange, _options.LossAggregation, valueDenominator);
                // Same expression order as before the estimator registry, so GAE runs stay bit-identical.
                loss = _options.ValueCoefficient * value.Loss - _options.EntropyCoefficient * meanEntropy;
                valueParts.Add(newValues.detach().MoveToOuterDisposeScope());
            }
            else loss = -_options.EntropyCoefficient * meanEntropy;
            // A micro-batch whose completions are all masked out adds nothing to the policy terms (and Aggregate refuses an empty mask).
            bool hasTokens = !split || lm.sum().ToDouble() > 0;
            var w = weights is null ? null : Part(weights);
            if (assembled is null && hasTokens)
                loss = loss + PolicyLoss.ClippedSurrogate(
                    logProbs, Part(oldLogProbs), Part(advantages), lm,
                    _options.ClipRangeLow, _options.ClipRangeHigh, _options.DualClip, _aggregation, w, policyDenominator).Loss;
            if (refLogProbs is not null && assembled is null && hasTokens)
                loss = loss + _options.KlCoefficient * LossAggregator.Aggregate(KlTerms(logProbs, Part(refLogProbs), w), lm, _aggregation, policyDenominator);
            // A fused critic-free step has nothing left to differentiate: its whole gradient is assembled.
            if (loss.requires_grad) loss.backward();
            logProbParts.Add(logProbs.detach().MoveToOuterDisposeScope());
            entropyParts.Add(entropy.detach().MoveToOuterDisposeScope());
        }
        if (assembled is not null)
        {
            foreach (var (name, parameter) in Policy.named_parameters().Where(p => p.parameter.requires_grad)) parameter.grad = assembled[name].to(parameter.dtype);
            foreach (var g in assembled.Values) g.Dispose();
        }
        double gradNorm = GradNorm(Policy.parameters().Concat(_sharedValueHead?.parameters() ?? Enumerable.Empty<TorchSharp.Modules.Parameter>()));
        if (_critic is not null) gradNorm += GradNorm(_critic.parameters());

        // The step's statistics over the whole minibatch, from the detached outputs: the definitions of the unsplit loss.
        Tensor Joined(List<Tensor> parts) => parts.Count == 1 ? parts[0] : cat(parts.ToArray(), 0);
        var stepLogProbs = Joined(logProbParts);
        var stepEntropy = MaskedStats.MaskedMean(Joined(entropyParts), mask);
        var policy = PolicyLoss.ClippedSurrogate(
            stepLogProbs, oldLogProbs, advantages, lossMask,
            _options.ClipRangeLow, _options.ClipRangeHigh, _options.DualClip, _aggregation, weights, denominator);
        var klLoss = refLogProbs is null ? null : _options.KlCoefficient * LossAggregator.Aggregate(KlTerms(stepLogProbs, refLogProbs, weights), lossMask, _aggregation, denominator);
        var ratio = MaskedStats.MaskedMean((stepLogProbs - oldLogProbs).exp(), mask);
        Tensor[] parts;
        if (_estimator.NeedsCritic)
        {
            var (valueLoss, valueClipFraction) = ValueLoss.Clipped(Joined(valueParts), oldValues!, returns!, mask, _options.ValueClipRange, _options.LossAggregation);
            parts = new[] { policy.Loss, valueLoss, policy.ClipFraction, policy.ApproxKl, valueClipFraction, stepEntropy, ratio };
        }
        else
        {
            var clip = ClipRatios.Compute(stepLogProbs, oldLogProbs, advantages, lossMask, _options.ClipRangeLow, _options.ClipRangeHigh);
            parts = new[] { policy.Loss, policy.ClipFraction, policy.ApproxKl, stepEntropy, ratio, stepEntropy, clip.Low, clip.High, clip.Region };
            if (klLoss is not null) parts = parts.Append(klLoss).ToArray();
        }
        // One device-to-host copy for every statistic of the step (the losses double as the finiteness check).
        var stats = stack(parts.Select(t => t.detach().to(ScalarType.Float32))).cpu().data<float>().ToArray();
        // The loss combines the policy loss, value loss, KL loss and entropy: finite parts and gradients mean a finite step.
        var mustBeFinite = _estimator.NeedsCritic ? new[] { 0, 1, 5 } : klLoss is null ? new[] { 0, 3 } : new[] { 0, 3, parts.Length - 1 };
        if (!double.IsFinite(gradNorm) || !mustBeFinite.All(k => float.IsFinite(stats[k])))
        {
            _policyOptimizer.zero_grad();
            _criticOptimizer?.zero_grad();
            return null;
        }
        if (step)
        {
            _policyOptimizer.step();
            _criticOptimizer?.step();
        }
        return stats;
    }

    /// <summary>
    /// For tests: one minibatch's gradients over <paramref name="rows"/> of <paramref name="buffer"/>, left in the
    /// parameters' grad (clipped when <see cref="PpoOptions.MaxGradNorm"/> is set), without the optimizer step; returns
    /// the step's statistics (<see cref="StepMetrics"/> order), or null when not finite.
    /// </summary>
    internal float[]? AccumulateGradients(RolloutBuffer buffer, int[] rows)
    {
        Policy.train();
        _critic?.train();
        return UpdateMiniBatch(buffer, rows, null, step: false);
    }

    // GRPO's k3 KL terms [rows, length] to the reference, weighted per episode when weights are given.
    private static Tensor KlTerms(Tensor logProbs, Tensor refLogProbs, Tensor? weights)
    {
        var k3 = KlEstimators.Compute(logProbs, refLogProbs.to(logProbs.dtype), KlEstimator.K3);
        return weights is null ? k3 : k3 * weights.to(k3.dtype).unsqueeze(1);
    }

    // (start, length) of each micro-batch of a minibatch of `rows` rows (PpoOptions.MicroBatchSize; one when unset).
    private List<(long Start, long Length)> MicroBatches(int rows)
    {
        int size = _options.MicroBatchSize is { } m && m < rows ? m : rows;
        var chunks = new List<(long, long)>();
        for (int start = 0; start < rows; start += size) chunks.Add((start, Math.Min(size, rows - start)));
        return chunks;
    }

    /// <summary>The parameters' total gradient norm, after clipping it to <see cref="PpoOptions.MaxGradNorm"/> when that is set.</summary>
    private double GradNorm(IEnumerable<TorchSharp.Modules.Parameter> parameters)
    {
        if (_options.MaxGradNorm > 0) return nn.utils.clip_grad_norm_(parameters, _options.MaxGradNorm);
        using var scope = NewDisposeScope();
        var norms = parameters.Where(p => p.grad is not null).Select(p => p.grad!.norm()).ToArray();
        return norms.Length == 0 ? 0 : stack(norms).norm().ToDouble();
    }

    private static double Lap(Stopwatch clock)
    {
        double s = clock.Elapsed.TotalSeconds;
        clock.Restart();
        return s;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _ownedEngine?.Dispose();
        _log?.Dispose();
        _policyOptimizer.Dispose();
        _criticOptimizer?.Dispose();
        _reference?.Dispose();
        _critic?.Dispose();
        _sharedValueHead?.Dispose();
    }
}
