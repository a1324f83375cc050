using System.Globalization;

/// <summary>The quickstart's command line: <c>[--seed N] [--sft-steps N] [--sft-batch N] [--sft-learning-rate X] [--iterations N] [--rl-learning-rate X]</c>.</summary>
/// <param name="Seed">Model init and every data draw. Default 1; range [0, 1,000,000].</param>
/// <param name="SftSteps">Steps of the SFT warm start. Default 6,000; range [1, 1,000,000].</param>
/// <param name="SftBatch">Examples per SFT step. Default 64; range [1, 4,096].</param>
/// <param name="SftLearningRate">Peak SFT learning rate (warm-up, then cosine decay). Default 3e-3; range (0, 1].</param>
/// <param name="Iterations">RL iterations of PPO and of I-PPO (64 episodes each). Default 80; range [1, 100,000].</param>
/// <param name="RlLearningRate">Policy learning rate of PPO and I-PPO. Default 1e-4; range (0, 1].</param>
internal sealed record QuickstartArguments(
    int Seed = 1, int SftSteps = 6000, int Iterations = 80, double RlLearningRate = 1e-4, int SftBatch = 64, double SftLearningRate = 3e-3)
{
    private const string Usage = "Usage: Ippo.MLNet.Quickstart [--seed N] [--sft-steps N] [--sft-batch N] [--sft-learning-rate X] [--iterations N] [--rl-learning-rate X]";

    /// <summary>Parses <paramref name="args"/>; an unknown option or a value out of range throws, naming it and the range.</summary>
    public static QuickstartArguments Parse(string[] args)
    {
        var parsed = new QuickstartArguments();
        for (int i = 0; i < args.Length; i += 2)
        {
            string name = args[i];
            string value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{name} needs a value. {Usage}", nameof(args));
            parsed = name switch
            {
                "--seed" => parsed with { Seed = Int(name, value, 0, 1_000_000) },
                "--sft-steps" => parsed with { SftSteps = Int(name, value, 1, 1_000_000) },
                "--sft-batch" => parsed with { SftBatch = Int(name, value, 1, 4096) },
                "--sft-learning-rate" => parsed with { SftLearningRate = Rate(name, value) },
                "--iterations" => parsed with { Iterations = Int(name, value, 1, 100_000) },
                "--rl-learning-rate" => parsed with { RlLearningRate = Rate(name, value) },
                _ => throw new ArgumentException($"Unknown option '{name}'. {Usage}", nameof(args)),
            };
        }
        return parsed;
    }

    private static int Int(string name, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= min && n <= max ? n
            : throw new ArgumentException($"{name} must be an integer in [{min}, {max}]; got '{value}'. {Usage}");

    private static double Rate(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) && x > 0 && x <= 1 ? x
            : throw new ArgumentException($"{name} must be a number in (0, 1]; got '{value}'. {Usage}");

}
