// Reproduces the paper's comparison (SFT, PPO, I-PPO and two ablations) on the built-in arithmetic task; see Experiment.
using System.CommandLine;
using Ippo.MLNet.Reproduction;
using Spectre.Console;

var defaults = new ExperimentOptions();
var seeds = new Option<int[]>("--seeds") { Description = "Seeds (each: own data, warm start and runs)", DefaultValueFactory = _ => defaults.Seeds.ToArray(), AllowMultipleArgumentsPerToken = true };
var iterations = new Option<int>("--iterations") { Description = "PPO iterations per RL method", DefaultValueFactory = _ => defaults.Iterations };
var episodes = new Option<int>("--episodes") { Description = "Episodes per iteration", DefaultValueFactory = _ => defaults.Episodes };
var groupSize = new Option<int>("--group-size") { Description = "Samples per prompt of GRPO and I-GRPO (Episodes / group-size prompts per iteration)", DefaultValueFactory = _ => defaults.GroupSize };
var sftSteps = new Option<int>("--sft-steps") { Description = "SFT steps of the warm start", DefaultValueFactory = _ => defaults.SftSteps };
var width = new Option<int>("--model-width") { Description = "Model width (d_model)", DefaultValueFactory = _ => defaults.ModelWidth };
var layers = new Option<int>("--model-layers") { Description = "Transformer blocks", DefaultValueFactory = _ => defaults.ModelLayers };
var validation = new Option<int>("--validation-size") { Description = "Gold traces in influence's validation set", DefaultValueFactory = _ => defaults.ValidationSize };
var recompute = new Option<int>("--recompute-every") { Description = "Iterations between validation-gradient refreshes", DefaultValueFactory = _ => defaults.RecomputeValidationEvery };
var threshold = new Option<double>("--threshold") { Description = "Influence score at or below which an episode is dropped", DefaultValueFactory = _ => defaults.Threshold };
var warmStartCache = new Option<string?>("--warm-start-cache") { Description = "Folder to save and reuse each seed's SFT warm start" };
var heldOut = new Option<int>("--held-out") { Description = "Held-out prompts of the final evaluation", DefaultValueFactory = _ => defaults.HeldOut };
var samples = new Option<int>("--samples") { Description = "Samples per held-out prompt at temperature 1 (k of maj@k, pass@k)", DefaultValueFactory = _ => defaults.Samples };
var evalEvery = new Option<int>("--eval-every") { Description = "Held-out checkpoint every N iterations", DefaultValueFactory = _ => defaults.EvalEvery };
var curveSize = new Option<int>("--curve-size") { Description = "Held-out prompts of the in-training checkpoints", DefaultValueFactory = _ => defaults.CurveSize };
var learningRate = new Option<double>("--learning-rate") { Description = "Policy learning rate of the RL methods", DefaultValueFactory = _ => defaults.LearningRate };
var sftBatch = new Option<int>("--sft-batch-size") { Description = "SFT batch size", DefaultValueFactory = _ => defaults.SftBatchSize };
var sftLearningRate = new Option<double>("--sft-learning-rate") { Description = "Peak SFT learning rate", DefaultValueFactory = _ => defaults.SftLearningRate };
var corpus = new Option<int>("--sft-corpus-size") { Description = "Examples in the SFT corpus", DefaultValueFactory = _ => defaults.SftCorpusSize };
var trainPrompts = new Option<int>("--train-prompts") { Description = "Training prompts PPO samples from", DefaultValueFactory = _ => defaults.TrainPrompts };
var threads = new Option<int>("--threads") { Description = "Torch threads (0: torch's default)", DefaultValueFactory = _ => defaults.Threads };
var output = new Option<string>("--output") { Description = "Output folder", DefaultValueFactory = _ => defaults.Output };
var methods = new Option<string[]>("--methods") { Description = "Methods to run: " + string.Join(", ", ExperimentMethods.Names), DefaultValueFactory = _ => ExperimentMethods.Names, AllowMultipleArgumentsPerToken = true };
methods.AcceptOnlyFromAmong(ExperimentMethods.Names);

var root = new RootCommand("Reproduces I-PPO vs PPO vs SFT (and ablations), and GRPO vs I-GRPO, on the built-in arithmetic task.")
{
    seeds, iterations, episodes, groupSize, sftSteps, width, layers, validation, recompute, threshold, warmStartCache, heldOut, samples, evalEvery, curveSize, learningRate,
    sftBatch, sftLearningRate, corpus, trainPrompts, threads, output, methods,
};
root.SetAction(parse =>
{
    var options = new ExperimentOptions
    {
        Seeds = parse.GetValue(seeds)!, Iterations = parse.GetValue(iterations), Episodes = parse.GetValue(episodes), GroupSize = parse.GetValue(groupSize),
        SftSteps = parse.GetValue(sftSteps), ModelWidth = parse.GetValue(width), ModelLayers = parse.GetValue(layers),
        ValidationSize = parse.GetValue(validation), RecomputeValidationEvery = parse.GetValue(recompute), Threshold = parse.GetValue(threshold), WarmStartCache = parse.GetValue(warmStartCache), HeldOut = parse.GetValue(heldOut), Samples = parse.GetValue(samples),
        EvalEvery = parse.GetValue(evalEvery), CurveSize = parse.GetValue(curveSize), LearningRate = parse.GetValue(learningRate),
        SftBatchSize = parse.GetValue(sftBatch), SftLearningRate = parse.GetValue(sftLearningRate), SftCorpusSize = parse.GetValue(corpus), TrainPrompts = parse.GetValue(trainPrompts), Threads = parse.GetValue(threads),
        Output = parse.GetValue(output)!, Methods = parse.GetValue(methods)!.Select(ExperimentMethods.Parse).Distinct().ToList(),
    };
    try
    {
        options.Validate();
    }
    catch (ArgumentOutOfRangeException e)
    {
        Console.Error.WriteLine(e.Message);
        return 2;
    }
    var results = Experiment.Run(options, Console.Out);
    if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 180);
    var table = new Table().Title("Mean ± std over seeds");
    foreach (var header in SummaryTable.Headers()) table.AddColumn(new TableColumn(Markup.Escape(header)));
    foreach (var row in results.Summary) table.AddRow(SummaryTable.Cells(row).Select(Markup.Escape).ToArray());
    AnsiConsole.Write(table);
    foreach (var file in results.Files) Console.WriteLine(file);
    return 0;
});
return root.Parse(args).Invoke();
