using Ippo.MLNet.Core.Logging;

namespace Ippo.MLNet.Core.Training;

/// <summary>Options of <see cref="SftTrainer"/> (supervised fine-tuning on prompt/completion pairs).</summary>
public sealed record SftOptions
{
    /// <summary>Optimizer steps. Default 600; range [1, 10,000,000].</summary>
    public int Steps { get; init; } = 600;

    /// <summary>Examples per step, drawn at random with replacement. Default 32; range [1, 65,536].</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Peak AdamW learning rate. Default 1e-3; range (0, 1].</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Linear warm-up steps before the cosine decay. Default 30; range [0, 10,000,000]; at most Steps are used.</summary>
    public int WarmupSteps { get; init; } = 30;

    /// <summary>Final learning rate as a fraction of the peak (cosine decay). Default 0.1; range [0, 1].</summary>
    public double MinLearningRateFraction { get; init; } = 0.1;

    /// <summary>AdamW weight decay. Default 0.01; range [0, 1].</summary>
    public double WeightDecay { get; init; } = 0.01;

    /// <summary>AdamW's first-moment decay (beta1). Default 0.9; range [0, 1).</summary>
    public double AdamBeta1 { get; init; } = 0.9;

    /// <summary>
    /// AdamW's second-moment decay (beta2). Default 0.999 (PyTorch's); range [0, 1). 0.99 (nanoGPT's setting for its
    /// character-level model) learned the built-in task sooner in a short high-rate run (README "Why not a shorter warm start").
    /// </summary>
    public double AdamBeta2 { get; init; } = 0.999;

    /// <summary>Gradient-norm clip; 0 turns it off. Default 1.0; range [0, 1e6].</summary>
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>Seed of batch sampling. Default 0.</summary>
    public int Seed { get; init; }

    /// <summary>Report progress every this many steps (and after the last). Default 50; range [1, 10,000,000].</summary>
    public int LogEvery { get; init; } = 50;

    /// <summary>TensorBoard folder, per-step CSV and custom sinks (the loss of every step), all off by default. Default: <see cref="MetricsLogOptions"/>'s defaults.</summary>
    public MetricsLogOptions Logging { get; init; } = new();

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option out of range.</summary>
    public SftOptions Validate()
    {
        Range(nameof(Steps), Steps, 1, 10_000_000);
        Range(nameof(BatchSize), BatchSize, 1, 65_536);
        Range(nameof(LearningRate), LearningRate, double.Epsilon, 1, "(0, 1]");
        Range(nameof(WarmupSteps), WarmupSteps, 0, 10_000_000);
        Range(nameof(MinLearningRateFraction), MinLearningRateFraction, 0, 1);
        Range(nameof(WeightDecay), WeightDecay, 0, 1);
        Range(nameof(AdamBeta1), AdamBeta1, 0, Math.BitDecrement(1.0), "[0, 1)");
        Range(nameof(AdamBeta2), AdamBeta2, 0, Math.BitDecrement(1.0), "[0, 1)");
        Range(nameof(MaxGradNorm), MaxGradNorm, 0, 1e6);
        Range(nameof(LogEvery), LogEvery, 1, 10_000_000);
        (Logging ?? throw new ArgumentNullException(nameof(Logging), "SftOptions.Logging must not be null.")).Validate($"SftOptions.{nameof(Logging)}");
        return this;
    }

    private static void Range(string name, double value, double min, double max, string? text = null)
    {
        if (double.IsNaN(value) || value < min || value > max)
            throw new ArgumentOutOfRangeException(name, value, $"SftOptions.{name} must be in {text ?? $"[{min}, {max}]"}.");
    }
}
