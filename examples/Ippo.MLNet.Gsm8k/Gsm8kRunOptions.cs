using Ippo.MLNet.Core.Tasks.Gsm8k;

namespace Ippo.MLNet.Gsm8k;

/// <summary>Everything a GSM8K run reads; <see cref="Validate"/> checks each field against its range up front.</summary>
public sealed record Gsm8kRunOptions
{
    /// <summary>A Hugging Face model folder (config.json, model.safetensors, tokenizer files). Required.</summary>
    public string ModelFolder { get; init; } = "";

    /// <summary>
    /// The folder with train.jsonl and test.jsonl. Default null: the folder named by <see cref="Gsm8kDataLocator.EnvironmentVariable"/>,
    /// else shared/data/gsm8k above the working directory.
    /// </summary>
    public string? DataFolder { get; init; }

    /// <summary>PPO or I-PPO. Default <see cref="Gsm8kMethod.IPpo"/>.</summary>
    public Gsm8kMethod Method { get; init; } = Gsm8kMethod.IPpo;

    /// <summary>"cpu", "cuda" or "cuda:N". Default "cpu". CUDA needs the application to reference TorchSharp-cuda-*.</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>SFT steps on the gold train solutions before RL (the warm start). Default 0 (none); range [0, 1e6].</summary>
    public int SftSteps { get; init; }

    /// <summary>SFT batch size. Default 8; range [1, 4096].</summary>
    public int SftBatchSize { get; init; } = 8;

    /// <summary>SFT peak learning rate. Default 1e-5; range (0, 1].</summary>
    public double SftLearningRate { get; init; } = 1e-5;

    /// <summary>Train questions used as rollout prompts (and SFT examples). Default 1000; range [1, 1e6].</summary>
    public int TrainPrompts { get; init; } = 1000;

    /// <summary>Gold solutions (taken from train after the prompts) that are I-PPO's validation traces. Default 32; range [1, 1e5].</summary>
    public int ValidationSize { get; init; } = 32;

    /// <summary>Test questions evaluated at the end. Default 250; range [1, 1e5].</summary>
    public int TestPrompts { get; init; } = 250;

    /// <summary>PPO iterations. Default 20; range [1, 1e6].</summary>
    public int Iterations { get; init; } = 20;

    /// <summary>Rollouts per iteration. Default 32; range [2, 1e5].</summary>
    public int Episodes { get; init; } = 32;

    /// <summary>Tokens a completion may have (rollouts and evaluation). Default 256; range [1, 8192].</summary>
    public int MaxNewTokens { get; init; } = 256;

    /// <summary>Policy learning rate of PPO. Default 1e-6; range (0, 1].</summary>
    public double LearningRate { get; init; } = 1e-6;

    /// <summary>I-PPO's influence threshold: episodes scoring at or below it are dropped. Default 0; any finite value.</summary>
    public double Threshold { get; init; }

    /// <summary>Samples per test question at temperature 1: the k of maj@k and pass@k. Default 4; range [1, 256].</summary>
    public int Samples { get; init; } = 4;

    /// <summary>Test questions generated per batch. Default 16; range [1, 4096].</summary>
    public int EvalBatchSize { get; init; } = 16;

    /// <summary>Seed of sampling, SFT batches and influence. Default 1; range [0, int.MaxValue].</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Folder to write the trained policy to (Hugging Face layout) and metrics.json. Default null: nothing written.</summary>
    public string? Output { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> (or its out-of-range subclass) naming the option, its value and its range.</summary>
    public Gsm8kRunOptions Validate()
    {
        if (string.IsNullOrWhiteSpace(ModelFolder)) throw new ArgumentException("--model (ModelFolder) must name a Hugging Face model folder.", nameof(ModelFolder));
        Range(nameof(SftSteps), SftSteps, 0, 1_000_000);
        Range(nameof(SftBatchSize), SftBatchSize, 1, 4096);
        Range(nameof(TrainPrompts), TrainPrompts, 1, 1_000_000);
        Range(nameof(ValidationSize), ValidationSize, 1, 100_000);
        Range(nameof(TestPrompts), TestPrompts, 1, 100_000);
        Range(nameof(Iterations), Iterations, 1, 1_000_000);
        Range(nameof(Episodes), Episodes, 2, 100_000);
        Range(nameof(MaxNewTokens), MaxNewTokens, 1, 8192);
        Range(nameof(Samples), Samples, 1, 256);
        Range(nameof(EvalBatchSize), EvalBatchSize, 1, 4096);
        Range(nameof(Seed), Seed, 0, int.MaxValue);
        Rate(nameof(SftLearningRate), SftLearningRate);
        Rate(nameof(LearningRate), LearningRate);
        if (!double.IsFinite(Threshold)) throw new ArgumentOutOfRangeException(nameof(Threshold), Threshold, "Threshold must be a finite number.");
        Gsm8kDevice.Parse(Device);
        return this;
    }

    private static void Range(string name, int value, int min, int max)
    {
        if (value < min || value > max) throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [{min}, {max}]; it is {value}.");
    }

    private static void Rate(string name, double value)
    {
        if (!(value > 0 && value <= 1)) throw new ArgumentOutOfRangeException(name, value, $"{name} must be in (0, 1]; it is {value}.");
    }
}
