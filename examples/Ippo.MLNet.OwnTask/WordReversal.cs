using Ippo.MLNet.Core.Evaluation;
using Ippo.MLNet.Core.Rewards;

namespace Ippo.MLNet.OwnTask;

/// <summary>
/// The task, written as a user of the library would: reverse a word. Prompt "abc&gt;", answer "cba". Its alphabet,
/// its data, its reward and its judge; nothing here comes from the library's built-in task.
/// </summary>
public static class WordReversal
{
    /// <summary>Every character a prompt or an answer may hold.</summary>
    public const string Alphabet = "abcdefgh>";

    /// <summary>Letters of the words.</summary>
    public const string Letters = "abcdefgh";

    /// <summary>The prompt of a word: the word, then '&gt;'.</summary>
    public static string Prompt(string word) => word + ">";

    /// <summary>The answer of a word: its letters in reverse order.</summary>
    public static string Answer(string word) => new(word.Reverse().ToArray());

    /// <summary><paramref name="count"/> distinct words of 3 to <paramref name="maxLength"/> letters, none in <paramref name="exclude"/>.</summary>
    public static List<string> Words(int count, int maxLength, int seed, IReadOnlySet<string>? exclude = null)
    {
        var random = new Random(seed);
        var words = new List<string>();
        var seen = new HashSet<string>(exclude ?? new HashSet<string>());
        for (int draws = 0; words.Count < count && draws < count * 100; draws++)
        {
            var word = new string(Enumerable.Range(0, random.Next(3, maxLength + 1)).Select(_ => Letters[random.Next(Letters.Length)]).ToArray());
            if (seen.Add(word)) words.Add(word);
        }
        return words;
    }

    /// <summary>
    /// The reward: 1 for the exact answer; otherwise half a point times the fraction of answer positions already right,
    /// so that nearly right completions score above wrong ones; 0.2 less when the completion never ended (no EOS).
    /// </summary>
    public static readonly RewardFunction Reward = input =>
    {
        var answer = input.Reference ?? Answer(input.Prompt.TrimEnd('>'));
        double reward = input.Completion == answer ? 1.0
            : 0.5 * Enumerable.Range(0, Math.Min(answer.Length, input.Completion.Length)).Count(i => input.Completion[i] == answer[i]) / answer.Length;
        return input.EndedWithEos ? reward : reward - 0.2;
    };

    /// <summary>The judge: the answer is the whole completion; there is no step checker, so labels are null.</summary>
    public sealed class Judge : ITaskJudge
    {
        /// <inheritdoc />
        public string? ExtractAnswer(string completion) => completion.Length == 0 ? null : completion;

        /// <inheritdoc />
        public string TrueAnswer(string prompt, string? reference) => reference ?? Answer(prompt.TrimEnd('>'));

        /// <inheritdoc />
        public TraceLabel? Label(string prompt, string completion, string? reference) => null;
    }
}
