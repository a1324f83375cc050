using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Tokenization;
using Ippo.MLNet.Core.Training;

namespace Ippo.MLNet.Core.Tasks.Arithmetic;

/// <summary>The default policy and data of the built-in task, shared by the examples, tests and benchmarks.</summary>
public static class ArithmeticDefaults
{
    /// <summary>The default model shape: width 128, 3 layers, 4 heads, 64 tokens of context, the built-in vocabulary.</summary>
    public static GptConfig ModelConfig(long initSeed = 0) => new()
    {
        VocabSize = PolicyTokenizer.CreateArithmetic().VocabSize,
        ContextLength = 64, Width = 128, Layers = 3, Heads = 4, InitSeed = initSeed,
    };

    /// <summary>
    /// A freshly initialised policy with the built-in tokenizer: <paramref name="config"/> (any registered architecture;
    /// default <see cref="ModelConfig"/>) built by its <see cref="ModelRegistry"/> entry.
    /// </summary>
    public static Policy NewPolicy(ICausalLMConfig? config = null)
    {
        config ??= ModelConfig();
        var model = ModelRegistry.Get(config.ModelType).Create(config);
        try
        {
            return new Policy(model, PolicyTokenizer.CreateArithmetic());
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>SFT examples as token ids: BOS + prompt, then completion + EOS.</summary>
    public static IReadOnlyList<TokenizedExample> Tokenize(Policy policy, IEnumerable<SftExample> corpus) =>
        corpus.Select(e => new TokenizedExample(policy.EncodePrompt(e.Prompt), policy.EncodeCompletion(e.Completion))).ToList();

    /// <summary><paramref name="count"/> distinct held-out prompts, none of which appears in <paramref name="exclude"/>.</summary>
    public static IReadOnlyList<PromptExample> HeldOutPrompts(ArithmeticTaskOptions task, int count, int seed, IEnumerable<string>? exclude = null)
    {
        var excluded = new HashSet<string>(exclude ?? Array.Empty<string>());
        var generator = new ArithmeticProblemGenerator(task, seed);
        var prompts = new List<PromptExample>();
        var seen = new HashSet<string>();
        for (int draws = 0; prompts.Count < count && draws < count * 100; draws++)
        {
            var p = generator.Next();
            if (!excluded.Contains(p.Prompt) && seen.Add(p.Prompt)) prompts.Add(new PromptExample(p.Prompt, p.Answer.ToString()));
        }
        return prompts;
    }

    /// <summary>
    /// <paramref name="count"/> gold, faithful traces (prompt and step-by-step completion) for influence's validation
    /// set; none of their prompts appears in <paramref name="exclude"/>.
    /// </summary>
    public static IReadOnlyList<SftExample> GoldTraces(ArithmeticTaskOptions task, int count, int seed, IEnumerable<string>? exclude = null)
    {
        var excluded = new HashSet<string>(exclude ?? Array.Empty<string>());
        var generator = new ArithmeticProblemGenerator(task, seed);
        var traces = new List<SftExample>();
        for (int draws = 0; traces.Count < count && draws < count * 100; draws++)
        {
            var p = generator.Next();
            if (excluded.Add(p.Prompt)) traces.Add(new SftExample(p.Prompt, p.GoldCompletion, Evaluation.TraceLabel.CorrectFaithful));
        }
        return traces;
    }
}
