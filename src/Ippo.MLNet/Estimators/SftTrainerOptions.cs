using Ippo.MLNet.Core.Generation;
using Ippo.MLNet.Core.Logging;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Models.Lora;
using Ippo.MLNet.Core.Training;

namespace Ippo.MLNet;

/// <summary>Options of <see cref="SftTrainerEstimator"/>: supervised fine-tuning on prompt/completion columns.</summary>
public sealed record SftTrainerOptions
{
    /// <summary>Text column of prompts. Default "Prompt".</summary>
    public string PromptColumnName { get; init; } = "Prompt";

    /// <summary>Text column of target completions (without EOS; it is added). Default "Completion".</summary>
    public string CompletionColumnName { get; init; } = "Completion";

    /// <summary>
    /// The policy to start from (copied, never changed); for your own task, a new one with your tokenizer:
    /// <c>new Policy(new GptLanguageModel(config), PolicyTokenizer.FromCharacters(alphabet))</c>. Default null: a new policy
    /// of <see cref="ModelConfig"/> with the built-in arithmetic vocabulary (text outside it is an error that says to set this).
    /// </summary>
    public Policy? InitialPolicy { get; init; }

    /// <summary>
    /// Architecture and shape of the new policy when <see cref="InitialPolicy"/> is null: any registered architecture's
    /// config (a <see cref="GptConfig"/> for the built-in GPT). Default null: the built-in task's default GPT (width 128, 3 layers).
    /// </summary>
    public ICausalLMConfig? ModelConfig { get; init; }

    /// <summary>Optimisation settings. Default: <see cref="SftOptions"/>'s defaults.</summary>
    public SftOptions Sft { get; init; } = new();

    /// <summary>
    /// LoRA adapters to train instead of every weight (<see cref="LoraOptions"/>); the base weights are frozen and the
    /// optimizer holds only the adapters. Default null: full fine-tuning. An initial policy that already has adapters
    /// keeps training them; then leave this null.
    /// </summary>
    public LoraOptions? Lora { get; init; }

    /// <summary>Decoding of the fitted transformer. Default null: greedy, 32 new tokens or the room left in the model's context after the prompt, whichever is smaller.</summary>
    public GenerationOptions? Generation { get; init; }

    /// <summary>
    /// Names of the columns the fitted transformer adds. Default Completion, CompletionTokens, CompletionLogProb, as
    /// PPO's. Changed in 0.1.0: SFT wrote "GeneratedCompletion" before. On the training view the generated Completion
    /// column hides the target column of the same name (ML.NET keeps it, hidden); to see both, set
    /// <c>OutputColumns = new() { Completion = "GeneratedCompletion" }</c>.
    /// </summary>
    public PolicyColumns OutputColumns { get; init; } = new();

    /// <summary>Called with each progress report, besides the MLContext log. Default null.</summary>
    public Action<SftProgress>? OnProgress { get; init; }

    /// <summary>Folder for TensorBoard event files with the loss and learning rate of every step (same as <see cref="SftOptions.Logging"/>'s TensorBoardFolder). Default null: none.</summary>
    public string? TensorBoardFolder { get; init; }

    /// <summary>CSV file with one row per step: loss and learning rate (same as <see cref="SftOptions.Logging"/>'s CsvFile). Default null: none.</summary>
    public string? MetricsCsvFile { get; init; }

    /// <summary>The SFT options with <see cref="TensorBoardFolder"/> and <see cref="MetricsCsvFile"/> merged into their logging options.</summary>
    /// <exception cref="ArgumentException">An output is set here and, differently, in <see cref="Sft"/>.</exception>
    internal SftOptions EffectiveSft() => Sft with
    {
        Logging = LoggingMerge.With(Sft.Logging, TensorBoardFolder, MetricsCsvFile, nameof(SftTrainerOptions), "Sft.Logging"),
    };
}
