namespace Ippo.MLNet.Reproduction;

/// <summary>
/// Sizes of the reproduction. The defaults are the full experiment (about the reference run of shared/NOTES.md §6
/// with a longer warm start); tests and smoke runs shrink them. <see cref="Validate"/> checks every range.
/// </summary>
public sealed record ExperimentOptions
{
    /// <summary>Seeds; each gets its own data, warm start and runs of every method. Default 1, 2, 3.</summary>
    public IReadOnlyList<int> Seeds { get; init; } = new[] { 1, 2, 3 };

    /// <summary>Methods to run. Default all of them.</summary>
    public IReadOnlyList<ExperimentMethod> Methods { get; init; } = ExperimentMethods.All;

    /// <summary>PPO iterations per RL method (the same rollout budget for all; I-PPO's early stop may use fewer). Default 80.</summary>
    public int Iterations { get; init; } = 80;

    /// <summary>Episodes per iteration, the same budget for every method (GRPO: Episodes / GroupSize prompts x GroupSize samples). Default 64.</summary>
    public int Episodes { get; init; } = 64;

    /// <summary>Samples per prompt of the GRPO methods (their group). Default 4; range [2, 1024], dividing <see cref="Episodes"/>.</summary>
    public int GroupSize { get; init; } = 4;

    /// <summary>SFT steps of the warm start. Default 3000 (1500 sat on the edge of learning the task in the reference run).</summary>
    public int SftSteps { get; init; } = 3000;

    /// <summary>SFT batch size. Default 64.</summary>
    public int SftBatchSize { get; init; } = 64;

    /// <summary>Peak SFT learning rate (after warm-up; cosine decay to a tenth of it). Default 1e-3, range (0, 1].</summary>
    public double SftLearningRate { get; init; } = 1e-3;

    /// <summary>Examples in the SFT corpus (30% gold, 50% unfaithful, 20% wrong). Default 20,000.</summary>
    public int SftCorpusSize { get; init; } = 20_000;

    /// <summary>Model width (d_model). Default 128.</summary>
    public int ModelWidth { get; init; } = 128;

    /// <summary>Transformer blocks. Default 3.</summary>
    public int ModelLayers { get; init; } = 3;

    /// <summary>Gold traces in the influence validation set. Default 32.</summary>
    public int ValidationSize { get; init; } = 32;

    /// <summary>Iterations between validation-gradient refreshes of the influence filters. Default 1 (every iteration).</summary>
    public int RecomputeValidationEvery { get; init; } = 1;

    /// <summary>Influence score at or below which I-PPO drops an episode. Default 0 (the paper's rule).</summary>
    public double Threshold { get; init; }

    /// <summary>
    /// Folder where each seed's SFT warm start is saved and, on later runs with the same SFT settings, loaded from
    /// (training is deterministic per seed on CPU, so a variant sweep need not retrain it). Default null: always train.
    /// </summary>
    public string? WarmStartCache { get; init; }

    /// <summary>Held-out prompts of the final evaluation. Default 256.</summary>
    public int HeldOut { get; init; } = 256;

    /// <summary>Training prompts PPO samples from. Default 2,000.</summary>
    public int TrainPrompts { get; init; } = 2_000;

    /// <summary>Samples per held-out prompt at temperature 1 in the final evaluation (k of majority vote and pass@k). Default 4.</summary>
    public int Samples { get; init; } = 4;

    /// <summary>Evaluate on the curve subset every this many iterations (and after the last). Default 5.</summary>
    public int EvalEvery { get; init; } = 5;

    /// <summary>Held-out prompts of the cheap in-training evaluation (one sample each, no greedy). Default 64.</summary>
    public int CurveSize { get; init; } = 64;

    /// <summary>Policy learning rate of the RL methods. Default 2e-5 (the reference run).</summary>
    public double LearningRate { get; init; } = 2e-5;

    /// <summary>Torch intra-op threads; 0 leaves torch's default (one per core). Default 0.</summary>
    public int Threads { get; init; }

    /// <summary>Folder of results.csv, iterations.csv, results-summary.md and the plots. Default docs.</summary>
    public string Output { get; init; } = "docs";

    /// <summary>Attention heads for <see cref="ModelWidth"/>: 4, 2 or 1, the largest that divides it.</summary>
    public int Heads => ModelWidth % 4 == 0 ? 4 : ModelWidth % 2 == 0 ? 2 : 1;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option out of range.</summary>
    public ExperimentOptions Validate()
    {
        if (Seeds is null || Seeds.Count == 0) throw new ArgumentOutOfRangeException(nameof(Seeds), "Give at least one seed.");
        if (Seeds.Distinct().Count() != Seeds.Count) throw new ArgumentOutOfRangeException(nameof(Seeds), "Seeds must be distinct.");
        if (Methods is null || Methods.Count == 0) throw new ArgumentOutOfRangeException(nameof(Methods), "Give at least one method.");
        Check(nameof(Iterations), Iterations, 1, 1_000_000);
        Check(nameof(Episodes), Episodes, 2, 65_536);
        Check(nameof(GroupSize), GroupSize, 2, 1024);
        if (Methods.Any(m => m.IsGroupMethod()) && Episodes % GroupSize != 0)
            throw new ArgumentOutOfRangeException(nameof(GroupSize), GroupSize, $"ExperimentOptions.Episodes ({Episodes}) must be a multiple of ExperimentOptions.GroupSize ({GroupSize}) for GRPO and I-GRPO.");
        Check(nameof(SftSteps), SftSteps, 1, 10_000_000);
        Check(nameof(SftBatchSize), SftBatchSize, 1, 65_536);
        Check(nameof(SftCorpusSize), SftCorpusSize, 1, 10_000_000);
        Check(nameof(ModelWidth), ModelWidth, 4, 65_536);
        Check(nameof(ModelLayers), ModelLayers, 1, 256);
        Check(nameof(ValidationSize), ValidationSize, 1, 100_000);
        Check(nameof(RecomputeValidationEvery), RecomputeValidationEvery, 1, 1_000_000);
        if (!(Threshold >= 0 && double.IsFinite(Threshold))) throw new ArgumentOutOfRangeException(nameof(Threshold), Threshold, "Threshold must be finite and >= 0 (weights s / mean(s) need positive scores).");
        Check(nameof(HeldOut), HeldOut, 1, 100_000);
        Check(nameof(TrainPrompts), TrainPrompts, 1, 1_000_000);
        Check(nameof(Samples), Samples, 1, 1024);
        Check(nameof(EvalEvery), EvalEvery, 1, 1_000_000);
        Check(nameof(CurveSize), CurveSize, 1, 100_000);
        Check(nameof(Threads), Threads, 0, 1024);
        if (!(SftLearningRate > 0 && SftLearningRate <= 1)) throw new ArgumentOutOfRangeException(nameof(SftLearningRate), SftLearningRate, "SftLearningRate must be in (0, 1].");
        if (!(LearningRate > 0 && LearningRate <= 1)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "LearningRate must be in (0, 1].");
        if (WarmStartCache is { } cache && string.IsNullOrWhiteSpace(cache)) throw new ArgumentOutOfRangeException(nameof(WarmStartCache), "Give a folder path or leave the warm-start cache off.");
        if (string.IsNullOrWhiteSpace(Output)) throw new ArgumentOutOfRangeException(nameof(Output), "Give an output folder.");
        return this;
    }

    private static void Check(string name, int value, int min, int max)
    {
        if (value < min || value > max)
            throw new ArgumentOutOfRangeException(name, value, $"ExperimentOptions.{name} must be in [{min}, {max}]; got {value}.");
    }
}
