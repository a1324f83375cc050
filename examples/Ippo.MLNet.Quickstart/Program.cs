using System.Diagnostics;
using Ippo.MLNet.Core.Evaluation;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using Ippo.MLNet.Core.Training;

var task = new ArithmeticTaskOptions();
var corpus = new SftCorpusGenerator(task, new SftCorpusOptions(), seed: 1).Take(20_000);
var heldOut = ArithmeticDefaults.HeldOutPrompts(task, 256, seed: 2, exclude: corpus.Select(e => e.Prompt));
using var policy = ArithmeticDefaults.NewPolicy();
var judge = new ArithmeticJudge();
var evaluation = new EvaluationOptions { SamplesPerPrompt = 2, PassK = 2 };

var before = PolicyEvaluator.Evaluate(policy, heldOut, judge, evaluation).Metrics;
var clock = Stopwatch.StartNew();
SftTrainer.Train(policy.Model, ArithmeticDefaults.Tokenize(policy, corpus), policy.Tokenizer.PadId,
    new SftOptions { Steps = 1500, BatchSize = 64, LearningRate = 1e-3, LogEvery = 50 },
    p => Console.Write($"\rSFT step {p.Step}/{p.TotalSteps}  loss {p.Loss:F3}  lr {p.LearningRate:E1}  {clock.Elapsed:mm\\:ss}   "));
Console.WriteLine();
var after = PolicyEvaluator.Evaluate(policy, heldOut, judge, evaluation);

Console.WriteLine($"{"",-10}{"accuracy",10}{"faithful",10}{"unfaithful",12}{"greedy acc",12}");
foreach (var (name, m) in new[] { ("untrained", before), ("SFT", after.Metrics) })
    Console.WriteLine($"{name,-10}{m.Accuracy,10:P1}{m.FaithfulAccuracy,10:P1}{m.UnfaithfulRate,12:P1}{m.GreedyAccuracy,12:P1}");
foreach (var c in after.Completions.Where(c => !c.Greedy).Take(3))
    Console.WriteLine($"  {c.Prompt}{c.Completion}   [{c.Label}]");
