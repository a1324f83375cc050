using Ippo.MLNet.Core.Tasks.Arithmetic;

namespace Ippo.MLNet;

/// <summary>
/// The built-in arithmetic task's reward, judge and vocabulary are what an option left null falls back to; these
/// checks make that fallback fail at once, naming the option to set, when the data is not that task's.
/// </summary>
internal static class ArithmeticFallback
{
    /// <summary>Throws when a prompt is not an arithmetic prompt such as "23+45-12=".</summary>
    public static void RequireArithmeticPrompts(IReadOnlyList<string> prompts, string column, string fallback, string toSet)
    {
        for (int i = 0; i < prompts.Count; i++)
            if (!ArithmeticTrace.TryParsePrompt(prompts[i], out _))
                throw new ArgumentException(
                    $"{fallback} is null, so the built-in arithmetic task's one is used, but row {i} of column '{column}' (\"{prompts[i]}\") " +
                    $"is not an arithmetic prompt such as \"23+45-12=\". Set {toSet}.");
    }

    /// <summary>The hint added to a tokenization error of SFT's default (arithmetic) vocabulary.</summary>
    public const string VocabularyHint =
        " SftTrainerOptions.InitialPolicy is null, so the new policy has the built-in arithmetic vocabulary: set SftTrainerOptions.InitialPolicy " +
        "to a policy with your tokenizer, e.g. new Policy(new GptLanguageModel(config), PolicyTokenizer.FromCharacters(alphabet)).";
}
