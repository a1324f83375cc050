using Ippo.MLNet.Core.Evaluation;
using Ippo.MLNet.Core.Generation;
using Ippo.MLNet.Core.Logging;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Models.Lora;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Rewards;
using Microsoft.ML;

namespace Ippo.MLNet;

/// <summary>Options of <see cref="PpoTrainerEstimator"/>: PPO on an IDataView of prompts.</summary>
public record PpoTrainerOptions
{
    /// <summary>Text column of prompts. Default "Prompt".</summary>
    public string PromptColumnName { get; init; } = "Prompt";

    /// <summary>Text column of reference answers passed to the reward function; null when there is none. Default null.</summary>
    public string? AnswerColumnName { get; init; }

    /// <summary>The policy to start from (copied, never changed): usually an SFT warm start. Required.</summary>
    public Policy? InitialPolicy { get; init; }

    /// <summary>
    /// Scores each episode: your task's reward, for example <c>input =&gt; input.Completion == input.Reference ? 1 : 0</c>.
    /// Default null: the built-in arithmetic task's reward, and prompts that are not arithmetic are an error at Fit that says to set this.
    /// </summary>
    public RewardFunction? Reward { get; init; }

    /// <summary>
    /// Several rewards with weights (TRL's reward_funcs and reward_weights) in place of <see cref="Reward"/>: the score is
    /// their weighted sum and each one's mean is logged as <c>rewards/&lt;name&gt;/mean</c>. Default null; set at most one of the two.
    /// </summary>
    public WeightedRewards? Rewards { get; init; }

    /// <summary>
    /// Held-out prompts to evaluate on during training, read with <see cref="PromptColumnName"/> and
    /// <see cref="AnswerColumnName"/>; the figures go into the history as eval/accuracy etc. Default null: no evaluation.
    /// </summary>
    public IDataView? EvaluationData { get; init; }

    /// <summary>Judge of <see cref="EvaluationData"/>; null uses the I-PPO options' Judge when there is one. Default null.</summary>
    public ITaskJudge? EvaluationJudge { get; init; }

    /// <summary>Evaluate <see cref="EvaluationData"/> after every this many iterations and after the last. Default 10; range [1, 1,000,000].</summary>
    public int EvaluateEvery { get; init; } = 10;

    /// <summary>The PPO settings (TRL's PPOConfig vocabulary). Default: <see cref="PpoOptions"/>'s defaults.</summary>
    public PpoOptions Ppo { get; init; } = new();

    /// <summary>
    /// Where rollouts are sampled (for example a <see cref="Core.Rollouts.Remote.OpenAiCompletionsRolloutEngine"/> on a
    /// vLLM server). Default null: the in-process TorchSharp generator. The engine stays the caller's to dispose.
    /// </summary>
    public Core.Rollouts.IRolloutEngine? RolloutEngine { get; init; }

    /// <summary>
    /// LoRA adapters to train instead of every weight (<see cref="LoraOptions"/>: rank, alpha, dropout, target modules,
    /// rsLoRA): the initial policy's copy gets them, its base weights are frozen, the reference is the base (no copy) and a
    /// separate critic gets its own adapters on the same base. Default null: full fine-tuning. An initial policy that
    /// already has adapters keeps training them; then leave this null.
    /// </summary>
    public LoraOptions? Lora { get; init; }

    /// <summary>Decoding of the fitted transformer. Default null: greedy, 32 new tokens or the room left in the model's context after the prompt, whichever is smaller.</summary>
    public GenerationOptions? Generation { get; init; }

    /// <summary>Names of the columns the fitted transformer adds. Default Completion, CompletionTokens, CompletionLogProb.</summary>
    public PolicyColumns OutputColumns { get; init; } = new();

    /// <summary>Called after every iteration with its metrics, besides the MLContext log. Default null.</summary>
    public Action<PpoIterationMetrics>? OnIteration { get; init; }

    /// <summary>
    /// Stops training at the next iteration boundary, writing a checkpoint when <see cref="PpoOptions.CheckpointFolder"/>
    /// is set; the policy trained so far is returned. Default none.
    /// </summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>
    /// A checkpoint folder (written by a run with <see cref="PpoOptions.CheckpointFolder"/>) to continue from: the run
    /// picks up at its iteration with its weights, optimizer states and history, and ends exactly as the uninterrupted
    /// run would have. Needs the same model config and seed. Default null: start from <see cref="InitialPolicy"/>.
    /// </summary>
    public string? ResumeFrom { get; init; }

    /// <summary>
    /// Folder for TensorBoard event files: every per-iteration metric under its TRL name, the influence-score
    /// histogram and sample completions (same as <see cref="PpoOptions.Logging"/>'s TensorBoardFolder). Default null: none.
    /// </summary>
    public string? TensorBoardFolder { get; init; }

    /// <summary>
    /// CSV file with one row per iteration and one column per metric, the same values as the fitted transformer's
    /// history (same as <see cref="PpoOptions.Logging"/>'s CsvFile). Default null: none.
    /// </summary>
    public string? MetricsCsvFile { get; init; }

    /// <summary>The PPO options with <see cref="TensorBoardFolder"/> and <see cref="MetricsCsvFile"/> merged into their logging options.</summary>
    /// <exception cref="ArgumentException">An output is set here and, differently, in <see cref="Ppo"/>.</exception>
    internal PpoOptions EffectivePpo() => Ppo with
    {
        Logging = LoggingMerge.With(Ppo.Logging, TensorBoardFolder, MetricsCsvFile, nameof(PpoTrainerOptions), "Ppo.Logging"),
    };
}
