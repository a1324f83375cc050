using Ippo.MLNet.Core.Logging;
using Ippo.MLNet.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Training;

/// <summary>Supervised fine-tuning: AdamW on the completion-token loss, warm-up + cosine schedule, gradient clipping.</summary>
public static class SftTrainer
{
    /// <summary>
    /// Trains <paramref name="model"/> in place on <paramref name="examples"/> and returns the mean loss of the last
    /// reporting window. Every step runs in its own dispose scope; batches are drawn with a seeded generator.
    /// </summary>
    public static double Train(
        CausalLanguageModel model, IReadOnlyList<TokenizedExample> examples, int padId, SftOptions options,
        Action<SftProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(examples);
        options.Validate();
        ValidateExamples(examples, model.Config);
        var device = ModelDevice.Of(model);
        var random = new Random(options.Seed);
        // Only trainable parameters: a LoRA model's frozen base gets no optimizer state.
        var trainable = model.parameters().Where(p => p.requires_grad).ToList();
        using var optimizer = optim.AdamW(trainable, lr: options.LearningRate, beta1: options.AdamBeta1, beta2: options.AdamBeta2, weight_decay: options.WeightDecay);
        model.train();
        using var log = MetricsLog.Open(options.Logging, CsvMetricsSink.StepColumn);
        double windowLoss = 0, lastWindowMean = double.NaN;
        int windowSteps = 0;
        for (int step = 0; step < options.Steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            double lr = LearningRateSchedule.WarmupCosine(step, options.Steps, options.LearningRate, options.WarmupSteps, options.MinLearningRateFraction);
            foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
            var picked = Enumerable.Range(0, options.BatchSize).Select(_ => examples[random.Next(examples.Count)]).ToList();
            using (var scope = NewDisposeScope())
            {
                using var batch = TrainingBatch.Collate(picked, padId, device);
                optimizer.zero_grad();
                var loss = SftLoss.Compute(model, batch);
                loss.backward();
                if (options.MaxGradNorm > 0) nn.utils.clip_grad_norm_(trainable, options.MaxGradNorm);
                optimizer.step();
                float stepLoss = loss.item<float>();
                windowLoss += stepLoss;
                if ((step + 1) % options.Logging.SftStepEvery == 0 || step == options.Steps - 1) log?.SftStep(step + 1, stepLoss, lr);
            }
            windowSteps++;
            if ((step + 1) % options.LogEvery == 0 || step == options.Steps - 1)
            {
                lastWindowMean = windowLoss / windowSteps;
                progress?.Invoke(new SftProgress(step + 1, options.Steps, lastWindowMean, lr));
                windowLoss = 0;
                windowSteps = 0;
            }
        }
        return lastWindowMean;
    }

    private static void ValidateExamples(IReadOnlyList<TokenizedExample> examples, ICausalLMConfig config)
    {
        if (examples.Count == 0) throw new ArgumentException("The SFT corpus is empty.", nameof(examples));
        for (int i = 0; i < examples.Count; i++)
        {
            var e = examples[i];
            if (e.Prompt.Length == 0) throw new ArgumentException($"Example {i} has an empty prompt.", nameof(examples));
            if (e.Completion.Length == 0) throw new ArgumentException($"Example {i} has an empty completion.", nameof(examples));
            if (e.Prompt.Length + e.Completion.Length > config.ContextLength)
                throw new ArgumentException(
                    $"Example {i} has {e.Prompt.Length + e.Completion.Length} tokens, more than the model's context length {config.ContextLength}.",
                    nameof(examples));
            foreach (var id in e.Prompt.Concat(e.Completion))
                if (id < 0 || id >= config.VocabSize)
                    throw new ArgumentOutOfRangeException(nameof(examples), id, $"Example {i} holds token id {id}, outside the vocabulary [0, {config.VocabSize}).");
        }
    }
}
