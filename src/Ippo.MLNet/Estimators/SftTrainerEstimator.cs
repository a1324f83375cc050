using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Models.Lora;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using Ippo.MLNet.Core.Training;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using TorchSharp;

namespace Ippo.MLNet;

/// <summary>
/// Fits a policy by supervised fine-tuning on an IDataView of prompt and completion text: the warm start of PPO and
/// the SFT baseline. The fitted <see cref="PolicyTransformer"/> adds generated completions to prompt rows.
/// </summary>
public sealed class SftTrainerEstimator : IEstimator<PolicyTransformer>
{
    private readonly MLContext _mlContext;

    internal SftTrainerEstimator(MLContext mlContext, SftTrainerOptions options)
    {
        _mlContext = mlContext;
        Options = options ?? throw new ArgumentNullException(nameof(options));
        options.EffectiveSft().Validate();
        options.Generation?.Validate();
        options.Lora?.Validate();
        if (options.Lora is not null && options.InitialPolicy?.Model.Lora is not null)
            throw new ArgumentException("SftTrainerOptions.Lora is set but the initial policy already has LoRA adapters (they keep training): leave Lora null.", nameof(options));
    }

    /// <summary>The options.</summary>
    public SftTrainerOptions Options { get; }

    /// <inheritdoc />
    public PolicyTransformer Fit(IDataView input)
    {
        var prompts = SchemaChecks.ReadText(input, Options.PromptColumnName, nameof(SftTrainerOptions.PromptColumnName));
        var completions = SchemaChecks.ReadText(input, Options.CompletionColumnName, nameof(SftTrainerOptions.CompletionColumnName));
        if (prompts.Count == 0) throw new ArgumentException("The training view has no rows.", nameof(input));
        var host = ((IHostEnvironment)_mlContext).Register("Ippo.Sft");
        using var channel = host.Start("SFT");
        var policy = Options.InitialPolicy?.Clone() ?? ArithmeticDefaults.NewPolicy(Options.ModelConfig);
        try
        {
            policy.Model.to(DeviceSelector.Resolve(_mlContext.GpuDeviceId, _mlContext.FallbackToCpu, w => channel.Warning(MessageSensitivity.None, w)));
            if (Options.Lora is { } lora) LoraAdapters.Apply(policy.Model, lora);
            var examples = prompts.Select((p, i) => new TokenizedExample(Encode(policy, p, i, true), Encode(policy, completions[i], i, false))).ToList();
            var sft = Options.EffectiveSft();
            channel.Info(MessageSensitivity.None, $"SFT: {sft.Steps} steps of batch {sft.BatchSize} on {examples.Count} rows; progress every {sft.LogEvery} steps (SftOptions.LogEvery).");
            SftTrainer.Train(policy.Model, examples, policy.Tokenizer.PadId, Options.EffectiveSft(), progress =>
            {
                channel.Info(MessageSensitivity.None, $"SFT step {progress.Step}/{progress.TotalSteps} loss {progress.Loss:F4} lr {progress.LearningRate:E2}");
                Options.OnProgress?.Invoke(progress);
            });
            return new PolicyTransformer(_mlContext, policy, Options.OutputColumns with { Prompt = Options.PromptColumnName }, Options.Generation);
        }
        catch
        {
            policy.Dispose();
            throw;
        }
    }

    private int[] Encode(Policy policy, string text, int row, bool prompt)
    {
        try
        {
            return prompt ? policy.EncodePrompt(text) : policy.EncodeCompletion(text);
        }
        catch (ArgumentException e)
        {
            var column = prompt ? Options.PromptColumnName : Options.CompletionColumnName;
            var hint = Options.InitialPolicy is null ? ArithmeticFallback.VocabularyHint : "";
            throw new ArgumentException($"Row {row} of column '{column}' cannot be tokenized: {e.Message}{hint}", e);
        }
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        SchemaChecks.RequireText(inputSchema, Options.PromptColumnName, nameof(SftTrainerOptions.PromptColumnName));
        SchemaChecks.RequireText(inputSchema, Options.CompletionColumnName, nameof(SftTrainerOptions.CompletionColumnName));
        return PolicyOutputSchema.Of(_mlContext, inputSchema, Options.OutputColumns with { Prompt = Options.PromptColumnName });
    }
}
