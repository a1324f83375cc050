using Ippo.MLNet.Core.Evaluation;
using Ippo.MLNet.Core.Influence;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Tokenization;
using Ippo.MLNet.Core.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ippo.MLNet.OwnTask;

/// <summary>
/// A user's own task end to end: a character tokenizer, a new small GPT, SFT, then PPO and I-PPO from the SFT policy
/// with the library's default RL settings, evaluation on held-out words, and a save / load round trip.
/// </summary>
public static class OwnTaskRun
{
    /// <summary>Runs the example; <paramref name="log"/> receives the library's progress lines (the MLContext log).</summary>
    public static OwnTaskResult Run(OwnTaskOptions options, Action<string>? log = null)
    {
        options.Validate();
        var ml = new MLContext(seed: options.Seed);
        int logLines = 0;
        // The library's progress (start lines, SFT every SftOptions.LogEvery steps, RL every iteration) goes to the
        // MLContext log; RawMessage is the line without ML.NET's "[Source=...; Kind=...]" prefix.
        ml.Log += (_, e) =>
        {
            if (e.Kind != Microsoft.ML.Runtime.ChannelMessageKind.Info || !e.Source.StartsWith("Ippo", StringComparison.Ordinal)) return;
            Interlocked.Increment(ref logLines);
            log?.Invoke(e.RawMessage);
        };

        // Data: training words (SFT rows and RL prompts), held-out words, and the gold pairs of I-PPO's validation set.
        var train = WordReversal.Words(options.TrainWords, options.MaxWordLength, options.Seed);
        var heldOut = WordReversal.Words(options.HeldOutWords, options.MaxWordLength, options.Seed + 1, train.ToHashSet());
        var gold = WordReversal.Words(options.GoldWords, options.MaxWordLength, options.Seed + 2, train.Concat(heldOut).ToHashSet());
        IDataView View(IEnumerable<string> words) =>
            ml.Data.LoadFromEnumerable(words.Select(w => new WordRow { Prompt = WordReversal.Prompt(w), Answer = WordReversal.Answer(w) }).ToList());
        var trainView = View(train);
        var heldOutView = View(heldOut);
        var goldView = View(gold);

        // The policy: one token per character (plus <pad>, <bos>, <eos>) and a small GPT sized for it. The context holds
        // BOS, the longest prompt and the longest answer with EOS.
        var tokenizer = PolicyTokenizer.FromCharacters(WordReversal.Alphabet);
        var config = new GptConfig
        {
            VocabSize = tokenizer.VocabSize, ContextLength = 2 * options.MaxWordLength + 3,
            Width = options.Width, Layers = options.Layers, Heads = 4, InitSeed = options.Seed,
        };
        using var initial = new Policy(new GptLanguageModel(config), tokenizer);

        // 1. SFT on (prompt, answer).
        using var sft = ml.Ippo().Sft(new SftTrainerOptions
        {
            InitialPolicy = initial, PromptColumnName = "Prompt", CompletionColumnName = "Answer",
            Sft = new SftOptions { Steps = options.SftSteps, BatchSize = 32, Seed = options.Seed },
        }).Fit(trainView);

        // 2. PPO and I-PPO from the SFT policy: the library's default RL settings, the task's reward.
        var rl = new PpoOptions { Iterations = options.RlIterations, EpisodesPerIteration = options.Episodes, MaxNewTokens = options.MaxWordLength + 1, Seed = options.Seed };
        using var ppo = ml.Ippo().PpoTrainer(new PpoTrainerOptions
        {
            InitialPolicy = sft.Policy, AnswerColumnName = "Answer", Reward = WordReversal.Reward, Ppo = rl,
        }).Fit(trainView);
        var ippoPipeline = ml.Transforms.CopyColumns("Reference", "Answer").Append(ml.Ippo().IPpoTrainer(new IPpoTrainerOptions
        {
            InitialPolicy = sft.Policy, AnswerColumnName = "Reference", Reward = WordReversal.Reward, Ppo = rl,
            ValidationData = goldView, ValidationCompletionColumnName = "Answer",
            Influence = new InfluenceFilterOptions { Seed = options.Seed }, Judge = new WordReversal.Judge(),
        }));
        var ippo = ippoPipeline.Fit(trainView);

        // 3. Held-out evaluation: samples at temperature 1 (accuracy, maj@k, pass@k) and greedy.
        var evaluation = new EvaluationOptions { SamplesPerPrompt = options.EvaluationSamples, PassK = options.EvaluationSamples, Seed = options.Seed };
        PolicyMetrics Evaluate(PolicyTransformer model) => ml.Ippo().Evaluate(model, heldOutView, new WordReversal.Judge(), evaluation, answerColumnName: "Answer");
        var (sftMetrics, ppoMetrics, ippoMetrics) = (Evaluate(sft), Evaluate(ppo), Evaluate(ippo.LastTransformer));

        // 4. Save the I-PPO pipeline as one file, load it back, and generate with both.
        var folder = options.OutputFolder ?? Directory.CreateTempSubdirectory("ippo-owntask-").FullName;
        try
        {
            var path = Path.Combine(folder, "model.zip");
            ml.Ippo().SaveModel(ippo, heldOutView.Schema, path);
            var before = ippo.Transform(heldOutView).GetColumn<string>("Completion").ToList();
            var loaded = ml.Ippo().LoadModel(path, out _);
            var after = loaded.Transform(heldOutView).GetColumn<string>("Completion").ToList();
            (loaded as IDisposable)?.Dispose();
            foreach (var t in ippo) (t as IDisposable)?.Dispose();
            var kept = ippo.LastTransformer.History.Count == 0 ? double.NaN : ippo.LastTransformer.History.Average(m => m[MetricNames.KeptFraction]);
            return new OwnTaskResult(sftMetrics, ppoMetrics, ippoMetrics, kept, before, after, logLines);
        }
        finally
        {
            if (options.OutputFolder is null) Directory.Delete(folder, recursive: true);
        }
    }
}
