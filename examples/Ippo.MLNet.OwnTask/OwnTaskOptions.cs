namespace Ippo.MLNet.OwnTask;

/// <summary>The example's budget. The defaults are the README's run; the test runs a few steps of each phase.</summary>
public sealed record OwnTaskOptions
{
    /// <summary>Seed of the model init, the data draws and the RL runs. Default 1.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Longest word. Default 6; range [3, 7] (the context holds BOS, the prompt, the answer and EOS).</summary>
    public int MaxWordLength { get; init; } = 6;

    /// <summary>Training words (SFT rows and RL prompts). Default 2,000.</summary>
    public int TrainWords { get; init; } = 2000;

    /// <summary>Held-out words for evaluation, none of them a training word. Default 200.</summary>
    public int HeldOutWords { get; init; } = 200;

    /// <summary>
    /// Gold (word, reversed word) pairs in I-PPO's validation set. Default 32: on seed 2, 128 pairs (the size the
    /// arithmetic experiment chose) gave I-PPO 12.9% sampled accuracy against 17.7% with 32.
    /// </summary>
    public int GoldWords { get; init; } = 32;

    /// <summary>Model width. Default 64.</summary>
    public int Width { get; init; } = 64;

    /// <summary>Transformer blocks. Default 2.</summary>
    public int Layers { get; init; } = 2;

    /// <summary>SFT steps (batch 32). Default 200: short of mastering the task (400 steps reach 100% greedy), so RL has room.</summary>
    public int SftSteps { get; init; } = 200;

    /// <summary>PPO and I-PPO iterations each. Default 30.</summary>
    public int RlIterations { get; init; } = 30;

    /// <summary>Episodes per RL iteration. Default 256 (PpoOptions' default).</summary>
    public int Episodes { get; init; } = 256;

    /// <summary>Samples per held-out prompt at temperature 1. Default 4.</summary>
    public int EvaluationSamples { get; init; } = 4;

    /// <summary>Where the trained pipeline is saved (model.zip). Default: a new temporary folder, deleted at the end.</summary>
    public string? OutputFolder { get; init; }

    /// <summary>Throws when an option is out of its range, naming it.</summary>
    public OwnTaskOptions Validate()
    {
        if (MaxWordLength is < 3 or > 7) throw new ArgumentOutOfRangeException(nameof(MaxWordLength), MaxWordLength, "OwnTaskOptions.MaxWordLength must be in [3, 7].");
        foreach (var (name, value) in new[] { (nameof(TrainWords), TrainWords), (nameof(HeldOutWords), HeldOutWords), (nameof(GoldWords), GoldWords), (nameof(Width), Width), (nameof(Layers), Layers),
                     (nameof(SftSteps), SftSteps), (nameof(RlIterations), RlIterations), (nameof(Episodes), Episodes), (nameof(EvaluationSamples), EvaluationSamples) })
            if (value < 1) throw new ArgumentOutOfRangeException(name, value, $"OwnTaskOptions.{name} must be at least 1.");
        return this;
    }
}
