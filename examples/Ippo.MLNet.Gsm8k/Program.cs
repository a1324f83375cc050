// PPO or I-PPO on GSM8K from a Hugging Face model folder; see Gsm8kRun.
using System.CommandLine;
using Ippo.MLNet.Gsm8k;

var d = new Gsm8kRunOptions();
var model = new Option<string>("--model") { Description = "Hugging Face model folder (config.json, model.safetensors, tokenizer files)", Required = true };
var data = new Option<string?>("--data") { Description = "Folder with GSM8K's train.jsonl and test.jsonl (default: $IPPO_GSM8K_DIR, else shared/data/gsm8k above the working directory)" };
var method = new Option<string>("--method") { Description = "ppo or ippo", DefaultValueFactory = _ => "ippo" };
method.AcceptOnlyFromAmong("ppo", "ippo");
var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N (CUDA needs TorchSharp-cuda-linux referenced instead of libtorch-cpu-linux-x64)", DefaultValueFactory = _ => d.Device };
var sftSteps = new Option<int>("--sft-steps") { Description = "SFT warm-start steps on gold train solutions (0: none)", DefaultValueFactory = _ => d.SftSteps };
var sftBatch = new Option<int>("--sft-batch-size") { Description = "SFT batch size", DefaultValueFactory = _ => d.SftBatchSize };
var sftRate = new Option<double>("--sft-learning-rate") { Description = "SFT peak learning rate", DefaultValueFactory = _ => d.SftLearningRate };
var trainPrompts = new Option<int>("--train-prompts") { Description = "Train questions used as rollout prompts and SFT examples", DefaultValueFactory = _ => d.TrainPrompts };
var validation = new Option<int>("--validation-size") { Description = "Gold train solutions held back as I-PPO's validation traces", DefaultValueFactory = _ => d.ValidationSize };
var testPrompts = new Option<int>("--test-prompts") { Description = "Test questions evaluated at the end", DefaultValueFactory = _ => d.TestPrompts };
var iterations = new Option<int>("--iterations") { Description = "PPO iterations", DefaultValueFactory = _ => d.Iterations };
var episodes = new Option<int>("--episodes") { Description = "Rollouts per iteration", DefaultValueFactory = _ => d.Episodes };
var maxNew = new Option<int>("--max-new-tokens") { Description = "Tokens per completion (rollouts and evaluation)", DefaultValueFactory = _ => d.MaxNewTokens };
var rate = new Option<double>("--learning-rate") { Description = "PPO policy learning rate", DefaultValueFactory = _ => d.LearningRate };
var threshold = new Option<double>("--threshold") { Description = "I-PPO: influence score at or below which an episode is dropped", DefaultValueFactory = _ => d.Threshold };
var samples = new Option<int>("--samples") { Description = "Samples per test question (k of maj@k and pass@k)", DefaultValueFactory = _ => d.Samples };
var evalBatch = new Option<int>("--eval-batch-size") { Description = "Test questions per generation batch", DefaultValueFactory = _ => d.EvalBatchSize };
var seed = new Option<int>("--seed") { Description = "Seed of sampling, SFT batches and influence", DefaultValueFactory = _ => d.Seed };
var output = new Option<string?>("--output") { Description = "Folder for the trained policy (Hugging Face layout) and gsm8k_metrics.json" };

var root = new RootCommand("PPO / I-PPO on GSM8K from a Hugging Face model folder.")
{
    model, data, method, device, sftSteps, sftBatch, sftRate, trainPrompts, validation, testPrompts, iterations, episodes, maxNew, rate, threshold,
    samples, evalBatch, seed, output,
};
root.SetAction(parse =>
{
    var options = new Gsm8kRunOptions
    {
        ModelFolder = parse.GetValue(model)!, DataFolder = parse.GetValue(data),
        Method = parse.GetValue(method) == "ppo" ? Gsm8kMethod.Ppo : Gsm8kMethod.IPpo, Device = parse.GetValue(device)!,
        SftSteps = parse.GetValue(sftSteps), SftBatchSize = parse.GetValue(sftBatch), SftLearningRate = parse.GetValue(sftRate),
        TrainPrompts = parse.GetValue(trainPrompts), ValidationSize = parse.GetValue(validation), TestPrompts = parse.GetValue(testPrompts),
        Iterations = parse.GetValue(iterations), Episodes = parse.GetValue(episodes), MaxNewTokens = parse.GetValue(maxNew),
        LearningRate = parse.GetValue(rate), Threshold = parse.GetValue(threshold), Samples = parse.GetValue(samples),
        EvalBatchSize = parse.GetValue(evalBatch), Seed = parse.GetValue(seed), Output = parse.GetValue(output),
    };
    try
    {
        Gsm8kRun.Run(options, Console.Out);
        return 0;
    }
    catch (Exception e) when (e is ArgumentException or DirectoryNotFoundException or FileNotFoundException or InvalidOperationException or InvalidDataException or NotSupportedException)
    {
        Console.Error.WriteLine(e.Message);
        return 2;
    }
});
return root.Parse(args).Invoke();
