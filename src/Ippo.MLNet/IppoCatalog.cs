using Ippo.MLNet.Core.Evaluation;
using Ippo.MLNet.Core.Influence;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using Ippo.MLNet.Core.Training;
using Microsoft.ML;

namespace Ippo.MLNet;

/// <summary>
/// Ippo.MLNet's estimators, evaluation and model IO for one MLContext, reached through <c>mlContext.Ippo()</c>.
/// </summary>
public sealed class IppoCatalog
{
    internal IppoCatalog(MLContext mlContext) => MLContext = mlContext;

    /// <summary>The context this catalog belongs to.</summary>
    public MLContext MLContext { get; }

    /// <summary>Supervised fine-tuning on prompt and completion columns.</summary>
    public SftTrainerEstimator Sft(SftTrainerOptions options) => new(MLContext, options);

    /// <summary>Supervised fine-tuning with default options on the named columns.</summary>
    public SftTrainerEstimator Sft(string promptColumnName = "Prompt", string completionColumnName = "Completion", int steps = 600) =>
        new(MLContext, new SftTrainerOptions { PromptColumnName = promptColumnName, CompletionColumnName = completionColumnName, Sft = new SftOptions { Steps = steps } });

    /// <summary>PPO on a column of prompts.</summary>
    public PpoTrainerEstimator PpoTrainer(PpoTrainerOptions options) => new(MLContext, options);

    /// <summary>PPO with default options from a fitted warm start, on the named prompt column.</summary>
    public PpoTrainerEstimator PpoTrainer(PolicyTransformer warmStart, string promptColumnName = "Prompt", string? answerColumnName = null) =>
        new(MLContext, new PpoTrainerOptions
        {
            InitialPolicy = (warmStart ?? throw new ArgumentNullException(nameof(warmStart))).Policy,
            PromptColumnName = promptColumnName,
            AnswerColumnName = answerColumnName,
        });

    /// <summary>
    /// I-PPO: PPO whose update runs on the influence-filtered, reweighted buffer, as an estimator to append to a pipeline
    /// over prompts. The validation view is read and tokenized now, so bad input fails here, before any training.
    /// </summary>
    public PpoTrainerEstimator IPpoTrainer(IPpoTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.InitialPolicy is null)
            throw new ArgumentException("IPpoTrainerOptions.InitialPolicy is required: I-PPO starts from a policy (usually an SFT warm start).", nameof(options));
        options.Influence.Validate();
        var validation = ValidationTraces.Read(options.ValidationData, options.ValidationPromptColumnName, options.ValidationCompletionColumnName,
            options.InitialPolicy, nameof(IPpoTrainerOptions.ValidationData));
        return new PpoTrainerEstimator(MLContext, options, _ => new InfluenceFilter(validation, options.Influence, options.Judge));
    }

    /// <summary>
    /// GRPO (no critic): <see cref="PpoTrainer(PpoTrainerOptions)"/> with <see cref="PpoOptions.Grpo"/>'s presets in
    /// place of <paramref name="options"/>.Ppo, keeping its run length, budget, learning rate, token limit, seed and
    /// checkpoint settings. For anything else, set <see cref="PpoTrainerOptions.Ppo"/> yourself.
    /// </summary>
    public PpoTrainerEstimator GrpoTrainer(PpoTrainerOptions options) =>
        PpoTrainer((options ?? throw new ArgumentNullException(nameof(options))) with { Ppo = GrpoPresets(options.Ppo) });

    /// <summary>I-GRPO: <see cref="IPpoTrainer"/> (the influence filter scores each episode's GRPO loss) with GRPO's presets as in <see cref="GrpoTrainer"/>.</summary>
    public PpoTrainerEstimator IGrpoTrainer(IPpoTrainerOptions options) =>
        IPpoTrainer((options ?? throw new ArgumentNullException(nameof(options))) with { Ppo = GrpoPresets(options.Ppo) });

    private static PpoOptions GrpoPresets(PpoOptions ppo) => PpoOptions.Grpo with
    {
        Iterations = ppo.Iterations, EpisodesPerIteration = ppo.EpisodesPerIteration, LearningRate = ppo.LearningRate,
        MaxNewTokens = ppo.MaxNewTokens, Temperature = ppo.Temperature, Seed = ppo.Seed,
        CheckpointFolder = ppo.CheckpointFolder, CheckpointEvery = ppo.CheckpointEvery,
    };

    /// <summary>
    /// A policy as a transformer (for example one read by <see cref="Core.Models.Policy.Load"/> or
    /// <see cref="Core.Models.Policy.FromPretrained"/>): to evaluate, append to a pipeline, save, or start PPO from.
    /// The transformer owns <paramref name="policy"/>. See <see cref="PolicyTransformer(MLContext, Core.Models.Policy, PolicyColumns?, Core.Generation.GenerationOptions?, long)"/>.
    /// </summary>
    public PolicyTransformer FromPolicy(Core.Models.Policy policy, PolicyColumns? columns = null, Core.Generation.GenerationOptions? generation = null) =>
        new(MLContext, policy, columns, generation);

    /// <summary>The influence filter over a view of episodes (prompt, completion, advantage): which rollouts help?</summary>
    public InfluenceFilterEstimator InfluenceFilter(InfluenceFilterEstimatorOptions options) => new(MLContext, options);

    /// <summary>A trained model's per-iteration metrics as a view (Iteration, Metric, Value), one row per metric.</summary>
    public IDataView TrainingHistory(PolicyTransformer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var rows = model.History.SelectMany(m => m.Values.Select(v => new MetricRow { Iteration = m.Iteration, Metric = v.Key, Value = v.Value })).ToList();
        return MLContext.Data.LoadFromEnumerable(rows);
    }

    /// <summary>
    /// Exact match, majority vote, pass@k and (with a step checker) faithfulness of a fitted policy on a prompt view.
    /// The judge defaults to the built-in arithmetic task's; prompts that are not arithmetic are then an error that says
    /// to pass <paramref name="judge"/>. <paramref name="options"/> default: <see cref="EvaluationOptions"/>'s defaults.
    /// </summary>
    public PolicyMetrics Evaluate(PolicyTransformer model, IDataView data, ITaskJudge? judge = null, EvaluationOptions? options = null,
        string promptColumnName = "Prompt", string? answerColumnName = null) =>
        EvaluateDetailed(model, data, judge, options, promptColumnName, answerColumnName).Metrics;

    /// <summary>Like <see cref="Evaluate"/>, with every judged completion.</summary>
    public PolicyEvaluation EvaluateDetailed(PolicyTransformer model, IDataView data, ITaskJudge? judge = null, EvaluationOptions? options = null,
        string promptColumnName = "Prompt", string? answerColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var prompts = SchemaChecks.ReadText(data, promptColumnName, nameof(promptColumnName));
        var answers = answerColumnName is null ? null : SchemaChecks.ReadText(data, answerColumnName, nameof(answerColumnName));
        if (prompts.Count == 0) throw new ArgumentException($"The evaluation view is empty: column '{promptColumnName}' has no rows.", nameof(data));
        if (judge is null)
            ArithmeticFallback.RequireArithmeticPrompts(prompts, promptColumnName, "The judge argument of Evaluate",
                "it to your task's ITaskJudge (ExtractAnswer, TrueAnswer, and Label returning null without a step checker)");
        var examples = prompts.Select((p, i) => new PromptExample(p, answers?[i])).ToList();
        return PolicyEvaluator.Evaluate(model.Policy, examples, judge ?? new ArithmeticJudge(), options);
    }

    /// <summary>
    /// Saves a fitted pipeline: ML.NET's model file plus, inside the same zip, the weights, config and tokenizer of every
    /// policy in it. Written to a temporary file first, so a failure leaves any earlier file at <paramref name="path"/> intact.
    /// </summary>
    public void SaveModel(ITransformer model, DataViewSchema inputSchema, string path) => ModelFile.Save(MLContext, model, inputSchema, path);

    /// <summary>Loads a pipeline saved by <see cref="SaveModel"/>, with every policy's weights restored exactly.</summary>
    public ITransformer LoadModel(string path, out DataViewSchema inputSchema) => ModelFile.Load(MLContext, path, out inputSchema);
}
