// The built-in example, end to end: SFT warm start on a corpus with unfaithful traces, then I-PPO, as ML.NET pipelines.
using System.Diagnostics;
using Ippo.MLNet;
using Ippo.MLNet.Core.Evaluation;
using Ippo.MLNet.Core.Influence;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using Ippo.MLNet.Core.Training;
using Microsoft.ML;
using Microsoft.ML.Data;
using Spectre.Console;

const int SftSteps = 1500, Iterations = 40;
var ml = new MLContext(seed: 0);
var task = new ArithmeticTaskOptions();
var clock = Stopwatch.StartNew();
var output = Path.Combine("runs", "quickstart");
// TensorBoard logs of this run: SFT and I-PPO as two runs; a previous launch's logs are replaced, not mixed in.
var tensorBoard = Path.Combine(output, "tb");
if (Directory.Exists(tensorBoard)) Directory.Delete(tensorBoard, recursive: true);
// Ctrl+C stops I-PPO after the current iteration and writes a checkpoint; a second Ctrl+C ends the process at once.
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = !cancel.IsCancellationRequested;
    cancel.Cancel();
};

// The data: an SFT corpus (30% gold, 50% unfaithful: right answer, wrong step; 20% wrong), prompts with reference
// answers for RL, 32 gold traces as I-PPO's validation set, and held-out prompts for the final comparison.
var corpus = new SftCorpusGenerator(task, new SftCorpusOptions(), seed: 1).Take(20_000);
var sftData = ml.Data.LoadFromEnumerable(corpus.Select(e => new SftRow { Prompt = e.Prompt, Completion = e.Completion }));
var trainPrompts = ArithmeticDefaults.HeldOutPrompts(task, 2000, seed: 2, exclude: corpus.Select(e => e.Prompt));
var heldOut = ArithmeticDefaults.HeldOutPrompts(task, 256, seed: 3, exclude: corpus.Select(e => e.Prompt).Concat(trainPrompts.Select(p => p.Prompt)));
var prompts = ml.Data.LoadFromEnumerable(trainPrompts.Select(p => new QuestionRow { Question = p.Prompt, Answer = p.Reference! }));
var gold = ArithmeticDefaults.GoldTraces(task, 32, seed: 5, exclude: heldOut.Select(p => p.Prompt));
var goldView = ml.Data.LoadFromEnumerable(gold.Select(e => new SftRow { Prompt = e.Prompt, Completion = e.Completion }));

PolicyTransformer sft = null!;
TransformerChain<PolicyTransformer> model = null!;
AnsiConsole.Progress()
    .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
    .Start(progress =>
    {
        // 1. SFT warm start.
        var sftBar = progress.AddTask("SFT", maxValue: SftSteps);
        sft = ml.Ippo().Sft(new SftTrainerOptions
        {
            Sft = new SftOptions { Steps = SftSteps, BatchSize = 64, LearningRate = 1e-3, LogEvery = 25 },
            TensorBoardFolder = Path.Combine(tensorBoard, "sft"),
            OnProgress = p => (sftBar.Value, sftBar.Description) = (p.Step, $"SFT  step {p.Step}/{p.TotalSteps}  loss {p.Loss:F3}"),
        }).Fit(sftData);

        // 2. I-PPO on the prompt view, as an ML.NET pipeline ending in the trainer.
        var ippoBar = progress.AddTask("I-PPO", maxValue: Iterations);
        var pipeline = ml.Transforms.CopyColumns("Prompt", "Question")
            .Append(ml.Ippo().IPpoTrainer(new IPpoTrainerOptions
            {
                InitialPolicy = sft.Policy,
                AnswerColumnName = "Answer",
                ValidationData = goldView,
                Influence = new InfluenceFilterOptions(),
                Judge = new ArithmeticJudge(),
                Ppo = new PpoOptions
                {
                    Iterations = Iterations, EpisodesPerIteration = 64, LearningRate = 3e-5, MaxNewTokens = 32, Seed = 4,
                    CheckpointFolder = Path.Combine(output, "checkpoint"),
                },
                TensorBoardFolder = Path.Combine(tensorBoard, "ippo"),
                MetricsCsvFile = Path.Combine(output, "metrics.csv"),
                CancellationToken = cancel.Token,
                OnIteration = m => (ippoBar.Value, ippoBar.Description) = (m.Iteration,
                    $"I-PPO iteration {m.Iteration}/{Iterations}  reward {m[MetricNames.Scores]:F3}  kept {m[MetricNames.KeptFraction]:P0}  kl {m[MetricNames.Kl]:F3}"),
            }));
        model = pipeline.Fit(prompts);
        ippoBar.Value = ippoBar.MaxValue;
    });
if (model.LastTransformer.StopReason is { } reason) AnsiConsole.WriteLine(reason);

// 3. Both policies on held-out prompts: 4 samples per prompt at temperature 1 (greedy decoding hides unfaithful steps).
var heldOutView = ml.Data.LoadFromEnumerable(heldOut.Select(p => new QuestionRow { Question = p.Prompt, Answer = p.Reference! }));
var evaluation = new EvaluationOptions { SamplesPerPrompt = 4, PassK = 4 };
var sftResult = ml.Ippo().EvaluateDetailed(sft, heldOutView, options: evaluation, promptColumnName: "Question", answerColumnName: "Answer");
var ippoResult = ml.Ippo().EvaluateDetailed(model.LastTransformer, heldOutView, options: evaluation, promptColumnName: "Question", answerColumnName: "Answer");

var table = new Table().AddColumns("method", "accuracy", "faithful accuracy", "unfaithful rate", "maj@4", "pass@4", "greedy");
foreach (var (name, m) in new[] { ("SFT", sftResult.Metrics), ("I-PPO", ippoResult.Metrics) })
    table.AddRow(name, $"{m.Accuracy:P1}", $"{m.FaithfulAccuracy:P1}", $"{m.UnfaithfulRate:P1}", $"{m.MajorityVote:P1}", $"{m.PassAtK:P1}", $"{m.GreedyAccuracy:P1}");
AnsiConsole.Write(table);
AnsiConsole.WriteLine("Sample completions of the I-PPO policy (temperature 1), one per checker label:");
foreach (var c in ippoResult.Completions.Where(c => !c.Greedy).GroupBy(c => c.Label).Select(g => g.First()).Take(3))
    AnsiConsole.WriteLine($"  {c.Prompt}{c.Completion}   [{c.Label}]");

var path = Path.Combine(output, "model.zip");
ml.Ippo().SaveModel(model, prompts.Schema, path);
var plotPath = Path.Combine(output, "training.png");
TrainingPlot(model.LastTransformer.History).SavePng(plotPath, 900, 500);
AnsiConsole.WriteLine($"Saved the pipeline with its policy to {Path.GetFullPath(path)} and the training curves to {Path.GetFullPath(plotPath)} ({clock.Elapsed:mm\\:ss} in all).");
AnsiConsole.WriteLine($"Trainer checkpoint (continue with IPpoTrainerOptions.ResumeFrom): {Path.GetFullPath(Path.Combine(output, "checkpoint"))}");
AnsiConsole.WriteLine($"Per-iteration metrics, one CSV row per iteration: {Path.GetFullPath(Path.Combine(output, "metrics.csv"))}");
AnsiConsole.WriteLine($"TensorBoard logs (SFT loss per step; every I-PPO metric, score histograms, sample completions): {Path.GetFullPath(tensorBoard)}");
AnsiConsole.WriteLine($"  open them with: tensorboard --logdir {Path.GetFullPath(tensorBoard)}   (pip install tensorboard), then http://localhost:6006");

static ScottPlot.Plot TrainingPlot(IReadOnlyList<PpoIterationMetrics> history)
{
    var plot = new ScottPlot.Plot();
    double[] iterations = history.Select(m => (double)m.Iteration).ToArray();
    foreach (var (metric, label) in new[] { (MetricNames.Scores, "mean reward"), (MetricNames.KeptFraction, "kept fraction"), (MetricNames.Kl, "KL to the reference") })
        plot.Add.Scatter(iterations, history.Select(m => m[metric]).ToArray()).LegendText = label;
    plot.Title("I-PPO on the built-in task");
    plot.XLabel("iteration");
    plot.ShowLegend();
    return plot;
}

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
