using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Tasks.Gsm8k;
using Ippo.MLNet.Core.Tokenization.Chat;
using Ippo.MLNet.Core.Training;

namespace Ippo.MLNet.Gsm8k;

/// <summary>
/// GSM8K rows as a policy reads them: the chat template's user turn when the tokenizer has one, else
/// <see cref="Gsm8kPrompt.Format"/>; gold solutions (calculator annotations and "#### answer" kept) as completions.
/// </summary>
public sealed class Gsm8kPrompts
{
    /// <summary>Appended to the question in a chat turn, so an instruct model ends with the line the reward reads.</summary>
    public const string ChatInstruction = "\nSolve step by step and end with a line \"#### <answer>\".";

    private readonly Policy _policy;

    /// <summary>Prompts for <paramref name="policy"/>; <see cref="UsesChat"/> says whether its chat template is used.</summary>
    public Gsm8kPrompts(Policy policy)
    {
        _policy = policy ?? throw new ArgumentNullException(nameof(policy));
        UsesChat = policy.Tokenizer.ChatFormatter is not PlainChatFormatter && TryChat("?") is not null;
    }

    /// <summary>Whether prompts go through the tokenizer's chat template (false: "Question: ...\nAnswer:").</summary>
    public bool UsesChat { get; }

    /// <summary>The prompt text of <paramref name="question"/>.</summary>
    public string Prompt(string question) => UsesChat ? TryChat(question)! : Gsm8kPrompt.Format(question);

    /// <summary>The completion text trained for a gold <paramref name="solution"/>.</summary>
    public string Completion(string solution) => UsesChat ? solution.Trim() : " " + solution.Trim();

    /// <summary>Rollout or evaluation prompts, the final answer as reference.</summary>
    public IReadOnlyList<PromptExample> PromptExamples(IEnumerable<Gsm8kExample> rows) =>
        rows.Select(r => new PromptExample(Prompt(r.Question), r.FinalAnswer)).ToList();

    /// <summary>Prompt + gold solution token ids (SFT examples, I-PPO validation traces).</summary>
    public IReadOnlyList<TokenizedExample> Tokenized(IEnumerable<Gsm8kExample> rows) =>
        rows.Select(r => new TokenizedExample(_policy.EncodePrompt(Prompt(r.Question)), _policy.EncodeCompletion(Completion(r.Answer)))).ToList();

    /// <summary>The rows whose prompt plus <paramref name="completionTokens"/> (or, when null, their gold completion) fit the model's context.</summary>
    public IReadOnlyList<Gsm8kExample> Fitting(IEnumerable<Gsm8kExample> rows, int? completionTokens)
    {
        int context = _policy.Model.Config.ContextLength;
        return rows.Where(r => _policy.EncodePrompt(Prompt(r.Question)).Length +
                               (completionTokens ?? _policy.EncodeCompletion(Completion(r.Answer)).Length) <= context).ToList();
    }

    private string? TryChat(string question)
    {
        try
        {
            return _policy.Tokenizer.FormatChat(new[] { new ChatMessage("user", question.Trim() + ChatInstruction) });
        }
        catch (NotSupportedException)
        {
            return null; // a chat template the library does not know: plain prompts
        }
    }
}
