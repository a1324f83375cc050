// A character-level task of your own, end to end: reverse a word ("abc>" -> "cba"). See README, "Your own task".
// dotnet run --project examples/Ippo.MLNet.OwnTask -c Release -- [--seed N] [--sft-steps N] [--iterations N]
using System.Diagnostics;
using Ippo.MLNet.OwnTask;

var options = new OwnTaskOptions();
for (int i = 0; i + 1 < args.Length; i += 2)
{
    int value = int.Parse(args[i + 1]);
    options = args[i] switch
    {
        "--seed" => options with { Seed = value },
        "--sft-steps" => options with { SftSteps = value },
        "--iterations" => options with { RlIterations = value },
        _ => throw new ArgumentException($"Unknown option {args[i]}; known: --seed, --sft-steps, --iterations."),
    };
}
var clock = Stopwatch.StartNew();
var result = OwnTaskRun.Run(options, line => Console.WriteLine($"[{clock.Elapsed:mm\\:ss}] {line}"));
Console.WriteLine();
Console.WriteLine($"held-out words: {options.HeldOutWords}, {options.EvaluationSamples} samples each at temperature 1; seed {options.Seed}");
Console.WriteLine($"{"method",-6} {"accuracy",9} {"greedy",9} {"maj@k",9} {"pass@k",9}");
foreach (var (name, m) in new[] { ("SFT", result.Sft), ("PPO", result.Ppo), ("I-PPO", result.IPpo) })
    Console.WriteLine($"{name,-6} {m.Accuracy,9:P1} {m.GreedyAccuracy,9:P1} {m.MajorityVote,9:P1} {m.PassAtK,9:P1}");
Console.WriteLine($"I-PPO kept {result.IPpoKeptFraction:P0} of episodes per iteration on average.");
Console.WriteLine($"saved and reloaded model gives the same greedy completions: {result.GreedyBeforeSave.SequenceEqual(result.GreedyAfterLoad)}");
Console.WriteLine($"total {clock.Elapsed:mm\\:ss}");
