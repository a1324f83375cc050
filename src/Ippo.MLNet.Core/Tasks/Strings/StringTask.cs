using Ippo.MLNet.Core.Evaluation;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Rewards;
using Ippo.MLNet.Core.Tokenization;
using Ippo.MLNet.Core.Training;

namespace Ippo.MLNet.Core.Tasks.Strings;

/// <summary>
/// A short string transformation as a task: the prompt is a word and <see cref="Separator"/> (<c>abc&gt;</c>), the
/// answer its transform (<c>cba</c> for <see cref="ReverseTask"/>). Words are drawn uniformly from
/// <see cref="Letters"/>, <see cref="MinLength"/> to <see cref="MaxLength"/> characters long. A task brings its
/// prompts, reference answers, SFT corpus, character tokenizer, model shape, exact-match reward and judge.
/// </summary>
public abstract class StringTask
{
    /// <summary>Sets the word alphabet and lengths: 2..26 distinct letters, 1 &lt;= minLength &lt;= maxLength &lt;= 24.</summary>
    protected StringTask(string letters, int minLength, int maxLength, char separator = '>')
    {
        ArgumentException.ThrowIfNullOrEmpty(letters);
        if (letters.Length is < 2 or > 26 || letters.Distinct().Count() != letters.Length)
            throw new ArgumentOutOfRangeException(nameof(letters), letters, $"{GetType().Name}: letters must be 2 to 26 distinct characters; got \"{letters}\".");
        if (letters.Contains(separator))
            throw new ArgumentOutOfRangeException(nameof(separator), separator, $"{GetType().Name}: the separator '{separator}' must not be one of the letters.");
        if (minLength < 1 || minLength > maxLength || maxLength > 24)
            throw new ArgumentOutOfRangeException(nameof(minLength), minLength, $"{GetType().Name}: lengths must satisfy 1 <= minLength <= maxLength <= 24; got {minLength} and {maxLength}.");
        Letters = letters;
        MinLength = minLength;
        MaxLength = maxLength;
        Separator = separator;
    }

    /// <summary>The task's registry name (<see cref="StringTasks"/>).</summary>
    public abstract string Name { get; }

    /// <summary>The characters words are made of.</summary>
    public string Letters { get; }

    /// <summary>Shortest word.</summary>
    public int MinLength { get; }

    /// <summary>Longest word.</summary>
    public int MaxLength { get; }

    /// <summary>The character that ends a prompt.</summary>
    public char Separator { get; }

    /// <summary>The answer for <paramref name="word"/> (letters of <see cref="Letters"/> only).</summary>
    public abstract string Transform(string word);

    /// <summary>The prompt of <paramref name="word"/>: the word, then <see cref="Separator"/>.</summary>
    public string Prompt(string word) => word + Separator;

    /// <summary>The word of a prompt written by <see cref="Prompt"/>; anything else is an error quoting it.</summary>
    public string WordOf(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        if (prompt.Length < 2 || prompt[^1] != Separator || prompt[..^1].Any(c => !Letters.Contains(c)))
            throw new ArgumentException($"\"{prompt}\" is not a {Name} prompt: letters of \"{Letters}\" then '{Separator}'.", nameof(prompt));
        return prompt[..^1];
    }

    /// <summary>The correct completion of <paramref name="prompt"/>.</summary>
    public string Answer(string prompt) => Transform(WordOf(prompt));

    /// <summary>A random word, drawn from <paramref name="random"/>.</summary>
    public string RandomWord(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        int length = random.Next(MinLength, MaxLength + 1);
        return string.Create(length, (Letters, random), (span, s) =>
        {
            for (int i = 0; i < span.Length; i++) span[i] = s.Letters[s.random.Next(s.Letters.Length)];
        });
    }

    /// <summary>
    /// Up to <paramref name="count"/> distinct prompts with their answers as references, none in
    /// <paramref name="exclude"/>; fewer only when the word space runs out.
    /// </summary>
    public IReadOnlyList<PromptExample> Prompts(int count, int seed, IEnumerable<string>? exclude = null) =>
        DistinctWords(count, seed, exclude).Select(w => new PromptExample(Prompt(w), Transform(w))).ToList();

    /// <summary><paramref name="count"/> SFT pairs (prompt, correct completion) drawn with repetition allowed, none of whose prompts is in <paramref name="exclude"/>.</summary>
    public IReadOnlyList<SftPair> SftCorpus(int count, int seed, IEnumerable<string>? exclude = null)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "The SFT corpus size must be at least 1.");
        var excluded = new HashSet<string>(exclude ?? Array.Empty<string>());
        var random = new Random(seed);
        var pairs = new List<SftPair>(count);
        for (int draws = 0; pairs.Count < count && draws < count * 100; draws++)
        {
            var word = RandomWord(random);
            if (!excluded.Contains(Prompt(word))) pairs.Add(new SftPair(Prompt(word), Transform(word)));
        }
        return pairs;
    }

    /// <summary>The task's tokenizer: one id per letter and the separator, after &lt;pad&gt;, &lt;bos&gt;, &lt;eos&gt;.</summary>
    public PolicyTokenizer Tokenizer() => PolicyTokenizer.FromCharacters(Letters + Separator);

    /// <summary>The default model for the task: the built-in GPT, width 64, 2 layers, 4 heads, a context of MaxLength + 34 tokens (room for 32 new tokens after the longest prompt; PpoOptions.MaxNewTokens left null uses that room).</summary>
    public GptConfig ModelConfig(long initSeed = 0) => new()
    {
        VocabSize = Tokenizer().VocabSize, ContextLength = MaxLength + 2 + 32, Width = 64, Layers = 2, Heads = 4, InitSeed = initSeed,
    };

    /// <summary>A fresh policy: <paramref name="config"/> (default <see cref="ModelConfig"/>) with the task's tokenizer.</summary>
    public Policy NewPolicy(GptConfig? config = null) => new(new GptLanguageModel((config ?? ModelConfig()).Validate()), Tokenizer());

    /// <summary>SFT pairs as token ids: prompt (BOS first), completion with EOS.</summary>
    public static IReadOnlyList<TokenizedExample> Tokenize(Policy policy, IEnumerable<SftPair> pairs) =>
        pairs.Select(p => new TokenizedExample(policy.EncodePrompt(p.Prompt), policy.EncodeCompletion(p.Completion))).ToList();

    /// <summary>Exact match (<see cref="ExactMatchReward"/>): 1 for the right answer, 0 otherwise; the answer is the row's reference or computed from the prompt.</summary>
    public RewardFunction Reward() => ExactMatchReward.Create(Answer);

    /// <summary>The judge that evaluation and the influence filter's diagnostics use.</summary>
    public ITaskJudge Judge() => new StringTaskJudge(this);

    private IEnumerable<string> DistinctWords(int count, int seed, IEnumerable<string>? exclude)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "The prompt count must be at least 1.");
        var excluded = new HashSet<string>(exclude ?? Array.Empty<string>());
        var random = new Random(seed);
        var seen = new HashSet<string>();
        for (int draws = 0; seen.Count < count && draws < count * 100; draws++)
        {
            var word = RandomWord(random);
            if (!excluded.Contains(Prompt(word)) && seen.Add(word)) yield return word;
        }
    }
}
