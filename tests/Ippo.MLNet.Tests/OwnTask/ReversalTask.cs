using Ippo.MLNet.Core.Evaluation;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Tokenization;

namespace Ippo.MLNet.Tests.OwnTask;

/// <summary>A user's character task for these tests: prompt "abc&gt;", answer "cba"; a judge without a step checker.</summary>
internal static class ReversalTask
{
    public const string Alphabet = "abcd>";

    public static Policy TinyPolicy(int contextLength = 16, long seed = 1)
    {
        var tokenizer = PolicyTokenizer.FromCharacters(Alphabet);
        return new Policy(new GptLanguageModel(new GptConfig
        {
            VocabSize = tokenizer.VocabSize, ContextLength = contextLength, Width = 32, Layers = 1, Heads = 2, InitSeed = seed,
        }), tokenizer);
    }

    public static IReadOnlyList<(string Prompt, string Answer)> Words(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var word = new string(Enumerable.Range(0, random.Next(2, 5)).Select(_ => "abcd"[random.Next(4)]).ToArray());
            return (word + ">", new string(word.Reverse().ToArray()));
        }).ToList();
    }

    /// <summary>Answer = the whole completion; no labels (ITaskJudge allows null).</summary>
    public sealed class Judge : ITaskJudge
    {
        public string? ExtractAnswer(string completion) => completion.Length == 0 ? null : completion;

        public string TrueAnswer(string prompt, string? reference) => reference ?? new string(prompt.TrimEnd('>').Reverse().ToArray());

        public TraceLabel? Label(string prompt, string completion, string? reference) => null;
    }
}
