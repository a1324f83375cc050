using Ippo.MLNet.Core.Evaluation;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Models.Lora;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using Ippo.MLNet.Core.Training;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using TorchSharp;

namespace Ippo.MLNet;

/// <summary>
/// Fits a policy with PPO on an IDataView of prompts (and optional reference answers): the last step of a pipeline
/// such as <c>mlContext.Transforms.CopyColumns(...).Append(mlContext.Ippo().PpoTrainer(options))</c>.
/// </summary>
public sealed class PpoTrainerEstimator : IEstimator<PolicyTransformer>
{
    private readonly MLContext _mlContext;

    internal PpoTrainerEstimator(MLContext mlContext, PpoTrainerOptions options, Func<Policy, IEpisodeFilter?>? filter = null)
    {
        _mlContext = mlContext;
        Options = options ?? throw new ArgumentNullException(nameof(options));
        if (options.InitialPolicy is null)
            throw new ArgumentException("PpoTrainerOptions.InitialPolicy is required: PPO starts from a policy (usually an SFT warm start).", nameof(options));
        options.EffectivePpo().Validate();
        if (options.Rewards is not null && options.Reward is not null)
            throw new ArgumentException("Set PpoTrainerOptions.Reward or PpoTrainerOptions.Rewards, not both.", nameof(options));
        if (options.EvaluationData is not null && EvaluationJudge(options) is null)
            throw new ArgumentException("PpoTrainerOptions.EvaluationData needs PpoTrainerOptions.EvaluationJudge to read and check the answers.", nameof(options));
        if (options.EvaluateEvery is < 1 or > 1_000_000)
            throw new ArgumentOutOfRangeException(nameof(options), options.EvaluateEvery, $"PpoTrainerOptions.EvaluateEvery must be in [1, 1000000]; got {options.EvaluateEvery}.");
        if (options.ResumeFrom is { } resume && !File.Exists(Path.Combine(resume, PpoTrainer.TrainerStateFile)))
            throw new ArgumentException($"PpoTrainerOptions.ResumeFrom '{resume}' is not a trainer checkpoint: '{PpoTrainer.TrainerStateFile}' is missing there.", nameof(options));
        options.Generation?.Validate();
        options.Lora?.Validate();
        if (options.Lora is not null && options.InitialPolicy.Model.Lora is not null)
            throw new ArgumentException("PpoTrainerOptions.Lora is set but the initial policy already has LoRA adapters (they keep training): leave Lora null.", nameof(options));
        FilterFactory = filter;
    }

    /// <summary>The options.</summary>
    public PpoTrainerOptions Options { get; }

    internal Func<Policy, IEpisodeFilter?>? FilterFactory { get; }

    /// <inheritdoc />
    public PolicyTransformer Fit(IDataView input)
    {
        var prompts = ReadPrompts(input);
        var host = ((IHostEnvironment)_mlContext).Register("Ippo.Ppo");
        using var channel = host.Start("PPO");
        var policy = Options.InitialPolicy!.Clone();
        try
        {
            policy.Model.to(DeviceSelector.Resolve(_mlContext.GpuDeviceId, _mlContext.FallbackToCpu, w => channel.Warning(MessageSensitivity.None, w)));
            foreach (var (p, i) in prompts.Select((p, i) => (p, i)))
                if (policy.EncodePrompt(p.Prompt).Length + (Options.Ppo.MaxNewTokens ?? 1) > policy.Model.Config.ContextLength)
                    throw new ArgumentException(
                        $"Row {i} of column '{Options.PromptColumnName}' has {policy.EncodePrompt(p.Prompt).Length} tokens; with Ppo.MaxNewTokens {Options.Ppo.MaxNewTokens?.ToString() ?? "null (at least 1 new token)"} that exceeds the policy's context length {policy.Model.Config.ContextLength}.",
                        nameof(input));
            if (Options.Lora is { } lora) LoraAdapters.Apply(policy.Model, lora);
            IReadOnlyList<PpoIterationMetrics> history;
            string? stopReason;
            var filter = FilterFactory?.Invoke(policy);
            try
            {
                var ppo = WithEvaluation(Options.EffectivePpo());
                using var trainer = Options.Rewards is { } rewards
                    ? new PpoTrainer(policy, rewards, ppo, filter, Options.RolloutEngine)
                    : new PpoTrainer(policy, Options.Reward ?? ArithmeticReward.Create(), ppo, filter, Options.RolloutEngine);
                if (Options.ResumeFrom is { } checkpoint)
                {
                    trainer.LoadCheckpoint(checkpoint);
                    channel.Info(MessageSensitivity.None, $"Resumed from '{checkpoint}' after iteration {trainer.IterationsDone}.");
                }
                channel.Info(MessageSensitivity.None,
                    $"PPO: {Options.Ppo.Iterations} iterations of {Options.Ppo.EpisodesPerIteration} episodes on {prompts.Count} prompts{(filter is null ? "" : ", influence-filtered")}; progress every iteration.");
                var run = trainer.Train(prompts, metrics =>
                {
                    channel.Info(MessageSensitivity.None, IterationLine(metrics, Options.Ppo.Iterations));
                    if (metrics[MetricNames.NonFiniteRollout] > 0 || metrics[MetricNames.SkippedSteps] > 0)
                        channel.Warning(MessageSensitivity.None,
                            $"iteration {metrics.Iteration}: non-finite values; skipped {(metrics[MetricNames.NonFiniteRollout] > 0 ? "the whole update (rollout)" : $"{metrics[MetricNames.SkippedSteps]} minibatch steps")}.");
                    if (metrics[MetricNames.CheckpointWritten] > 0)
                        channel.Info(MessageSensitivity.None, $"checkpoint written to '{Options.Ppo.CheckpointFolder}' after iteration {metrics.Iteration}.");
                    Options.OnIteration?.Invoke(metrics);
                }, Options.CancellationToken);
                history = trainer.History.ToList();
                stopReason = run.StopReason;
                if (stopReason is not null) channel.Info(MessageSensitivity.None, stopReason);
            }
            finally
            {
                (filter as IDisposable)?.Dispose();
            }
            return new PolicyTransformer(_mlContext, policy, Options.OutputColumns with { Prompt = Options.PromptColumnName }, Options.Generation)
            {
                History = history,
                StopReason = stopReason,
            };
        }
        catch
        {
            policy.Dispose();
            throw;
        }
    }

    private static ITaskJudge? EvaluationJudge(PpoTrainerOptions options) => options.EvaluationJudge ?? (options as IPpoTrainerOptions)?.Judge;

    private PpoOptions WithEvaluation(PpoOptions ppo)
    {
        if (Options.EvaluationData is not { } view) return ppo;
        var prompts = SchemaChecks.ReadText(view, Options.PromptColumnName, nameof(PpoTrainerOptions.PromptColumnName));
        var answers = Options.AnswerColumnName is { } column ? SchemaChecks.ReadText(view, column, nameof(PpoTrainerOptions.AnswerColumnName)) : null;
        if (prompts.Count == 0) throw new ArgumentException($"PpoTrainerOptions.EvaluationData is empty: column '{Options.PromptColumnName}' has no rows.");
        return ppo with
        {
            Evaluation = new PeriodicEvaluationOptions
            {
                Prompts = prompts.Select((p, i) => new PromptExample(p, answers?[i])).ToList(),
                Judge = EvaluationJudge(Options), Every = Options.EvaluateEvery,
            }.Validate("PpoTrainerOptions.EvaluationData"),
        };
    }

    private static string IterationLine(PpoIterationMetrics m, int total) =>
        $"iteration {m.Iteration}/{total} score {m[MetricNames.Scores]:F3} kl {m[MetricNames.Kl]:F4} clipfrac {m[MetricNames.ClipFraction]:F3} " +
        $"approxkl {m[MetricNames.ApproxKl]:F5} kept {m[MetricNames.KeptFraction]:P0}";

    private List<PromptExample> ReadPrompts(IDataView input)
    {
        var prompts = SchemaChecks.ReadText(input, Options.PromptColumnName, nameof(PpoTrainerOptions.PromptColumnName));
        if (prompts.Count == 0) throw new ArgumentException($"The prompt view is empty: column '{Options.PromptColumnName}' has no rows.", nameof(input));
        var answers = Options.AnswerColumnName is { } column
            ? SchemaChecks.ReadText(input, column, nameof(PpoTrainerOptions.AnswerColumnName))
            : null;
        var policy = Options.InitialPolicy!;
        for (int i = 0; i < prompts.Count; i++)
        {
            try
            {
                policy.EncodePrompt(prompts[i]);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Row {i} of column '{Options.PromptColumnName}' cannot be tokenized: {e.Message}", nameof(input), e);
            }
        }
        // After tokenization, whose errors are the more specific.
        if (Options.Reward is null && Options.Rewards is null)
            ArithmeticFallback.RequireArithmeticPrompts(prompts, Options.PromptColumnName, "PpoTrainerOptions.Reward",
                "PpoTrainerOptions.Reward to your task's reward (a RewardFunction: RewardInput -> double) or PpoTrainerOptions.Rewards to a weighted list");
        return prompts.Select((p, i) => new PromptExample(p, answers?[i])).ToList();
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        SchemaChecks.RequireText(inputSchema, Options.PromptColumnName, nameof(PpoTrainerOptions.PromptColumnName));
        if (Options.AnswerColumnName is { } answers) SchemaChecks.RequireText(inputSchema, answers, nameof(PpoTrainerOptions.AnswerColumnName));
        return PolicyOutputSchema.Of(_mlContext, inputSchema, Options.OutputColumns with { Prompt = Options.PromptColumnName });
    }
}
