using Ippo.MLNet.Core.Tasks.Arithmetic;
using Ippo.MLNet.Core.Training;

namespace Ippo.MLNet.Reproduction;

/// <summary>
/// The data of one seed: SFT corpus, PPO training prompts, held-out prompts (and the curve subset), and the gold
/// validation traces of influence. The splits are disjoint by prompt: training and held-out prompts never occur in the
/// corpus, held-out prompts never in training, validation traces never on a held-out prompt.
/// </summary>
internal sealed class SeedData
{
    private SeedData(IReadOnlyList<SftExample> corpus, IReadOnlyList<PromptExample> train, IReadOnlyList<PromptExample> heldOut,
        IReadOnlyList<PromptExample> curve, IReadOnlyList<SftExample> validation)
    {
        Corpus = corpus;
        TrainPrompts = train;
        HeldOut = heldOut;
        Curve = curve;
        Validation = validation;
    }

    /// <summary>The SFT corpus (30% gold, 50% unfaithful, 20% wrong traces).</summary>
    public IReadOnlyList<SftExample> Corpus { get; }

    /// <summary>Prompts with reference answers that PPO samples episodes from.</summary>
    public IReadOnlyList<PromptExample> TrainPrompts { get; }

    /// <summary>Prompts of the final evaluation.</summary>
    public IReadOnlyList<PromptExample> HeldOut { get; }

    /// <summary>The first prompts of <see cref="HeldOut"/>: the cheap in-training evaluation.</summary>
    public IReadOnlyList<PromptExample> Curve { get; }

    /// <summary>Gold, faithful traces: influence's validation set.</summary>
    public IReadOnlyList<SftExample> Validation { get; }

    /// <summary>Draws the data of <paramref name="seed"/>; the same options and seed give the same data.</summary>
    public static SeedData Create(ArithmeticTaskOptions task, ExperimentOptions options, int seed)
    {
        int Derived(int stream) => unchecked(seed * 1_000 + stream);
        var corpus = new SftCorpusGenerator(task, new SftCorpusOptions(), Derived(1)).Take(options.SftCorpusSize);
        var corpusPrompts = corpus.Select(e => e.Prompt).ToHashSet();
        var train = ArithmeticDefaults.HeldOutPrompts(task, options.TrainPrompts, Derived(2), corpusPrompts);
        var heldOut = ArithmeticDefaults.HeldOutPrompts(task, options.HeldOut, Derived(3), corpusPrompts.Concat(train.Select(p => p.Prompt)));
        if (train.Count == 0 || heldOut.Count == 0)
            throw new InvalidOperationException($"Seed {seed}: the task has too few distinct prompts outside the SFT corpus ({train.Count} training, {heldOut.Count} held-out); use a smaller corpus.");
        var validation = ArithmeticDefaults.GoldTraces(task, options.ValidationSize, Derived(5), heldOut.Select(p => p.Prompt));
        return new SeedData(corpus, train, heldOut, heldOut.Take(options.CurveSize).ToList(), validation);
    }
}
