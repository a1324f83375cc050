// The built-in example, end to end: SFT warm start on a corpus with unfaithful traces, then I-PPO, as ML.NET pipelines.
using System.Diagnostics;
using Ippo.MLNet;
using Ippo.MLNet.Core.Evaluation;
using Ippo.MLNet.Core.Influence;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using Ippo.MLNet.Core.Training;
using Microsoft.ML;

var ml = new MLContext(seed: 0);
var task = new ArithmeticTaskOptions();
var clock = Stopwatch.StartNew();

// 1. SFT warm start: 30% gold, 50% unfaithful (right answer, wrong step), 20% wrong traces.
var corpus = new SftCorpusGenerator(task, new SftCorpusOptions(), seed: 1).Take(20_000);
var sftData = ml.Data.LoadFromEnumerable(corpus.Select(e => new SftRow { Prompt = e.Prompt, Completion = e.Completion }));
using var sft = ml.Ippo().Sft(new SftTrainerOptions
{
    Sft = new SftOptions { Steps = 1500, BatchSize = 64, LearningRate = 1e-3, LogEvery = 25 },
    OnProgress = p => Console.Write($"\rSFT  step {p.Step,4}/{p.TotalSteps}  loss {p.Loss:F3}  {clock.Elapsed:mm\\:ss}   "),
}).Fit(sftData);
Console.WriteLine();

// 2. I-PPO on a view of prompts with reference answers, as an ML.NET pipeline; 32 gold traces are the validation set.
var trainPrompts = ArithmeticDefaults.HeldOutPrompts(task, 2000, seed: 2, exclude: corpus.Select(e => e.Prompt));
var heldOut = ArithmeticDefaults.HeldOutPrompts(task, 256, seed: 3, exclude: corpus.Select(e => e.Prompt).Concat(trainPrompts.Select(p => p.Prompt)));
var prompts = ml.Data.LoadFromEnumerable(trainPrompts.Select(p => new QuestionRow { Question = p.Prompt, Answer = p.Reference! }));
var gold = ArithmeticDefaults.GoldTraces(task, 32, seed: 5, exclude: heldOut.Select(p => p.Prompt));
var goldView = ml.Data.LoadFromEnumerable(gold.Select(e => new SftRow { Prompt = e.Prompt, Completion = e.Completion }));
var pipeline = ml.Transforms.CopyColumns("Prompt", "Question")
    .Append(ml.Ippo().IPpoTrainer(new IPpoTrainerOptions
    {
        InitialPolicy = sft.Policy,
        AnswerColumnName = "Answer",
        ValidationData = goldView,
        Influence = new InfluenceFilterOptions(),
        Judge = new ArithmeticJudge(),
        Ppo = new PpoOptions { Iterations = 40, EpisodesPerIteration = 64, LearningRate = 3e-5, MaxNewTokens = 32, Seed = 4 },
        OnIteration = m => Console.Write(
            $"\rI-PPO iteration {m.Iteration,3}/40  reward {m[MetricNames.Scores]:F3}  kl {m[MetricNames.Kl]:F3}  kept {m[MetricNames.KeptFraction]:P0}  {clock.Elapsed:mm\\:ss}   "),
    }));
var model = pipeline.Fit(prompts);
Console.WriteLine();
if (model.LastTransformer.StopReason is { } reason) Console.WriteLine(reason);

// 3. Evaluate both on held-out prompts: one sample per prompt at temperature 1 (greedy decoding hides unfaithful steps).
var heldOutView = ml.Data.LoadFromEnumerable(heldOut.Select(p => new QuestionRow { Question = p.Prompt, Answer = p.Reference! }));
var evaluation = new EvaluationOptions { SamplesPerPrompt = 4, PassK = 4 };
var sftResult = ml.Ippo().EvaluateDetailed(sft, heldOutView, options: evaluation, promptColumnName: "Question", answerColumnName: "Answer");
var ppoResult = ml.Ippo().EvaluateDetailed(model.LastTransformer, heldOutView, options: evaluation, promptColumnName: "Question", answerColumnName: "Answer");

Console.WriteLine();
Console.WriteLine($"{"method",-8}{"accuracy",10}{"faithful",10}{"unfaithful",12}{"maj@4",8}{"pass@4",8}{"greedy",8}");
foreach (var (name, m) in new[] { ("SFT", sftResult.Metrics), ("I-PPO", ppoResult.Metrics) })
    Console.WriteLine($"{name,-8}{m.Accuracy,10:P1}{m.FaithfulAccuracy,10:P1}{m.UnfaithfulRate,12:P1}{m.MajorityVote,8:P1}{m.PassAtK,8:P1}{m.GreedyAccuracy,8:P1}");
Console.WriteLine();
Console.WriteLine("Sample completions of the I-PPO policy (temperature 1):");
foreach (var c in ppoResult.Completions.Where(c => !c.Greedy).Take(3))
    Console.WriteLine($"  {c.Prompt}{c.Completion}   [{c.Label}]");

var path = Path.Combine("runs", "quickstart", "model.zip");
ml.Ippo().SaveModel(model, prompts.Schema, path);
Console.WriteLine($"\nSaved the pipeline with its policy to {Path.GetFullPath(path)} ({clock.Elapsed:mm\\:ss} in all).");

internal sealed class SftRow
{
    public string Prompt { get; set; } = "";
    public string Completion { get; set; } = "";
}

internal sealed class QuestionRow
{
    public string Question { get; set; } = "";
    public string Answer { get; set; } = "";
}
