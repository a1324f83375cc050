using System.Text;

namespace Ippo.MLNet.Core.Tokenization.Chat;

/// <summary>
/// Llama 3's chat format: BOS, then <c>&lt;|start_header_id|&gt;{role}&lt;|end_header_id|&gt;\n\n{content, trimmed}&lt;|eot_id|&gt;</c>
/// per message, and <c>&lt;|start_header_id|&gt;assistant&lt;|end_header_id|&gt;\n\n</c> as the generation prompt. Llama
/// 3.1 and later templates always open with a system turn that states the knowledge cutoff and a date
/// (<see cref="TodayDate"/>), followed by the system message if any.
/// </summary>
public sealed class Llama3ChatFormatter : IChatFormatter
{
    /// <summary>Creates the formatter.</summary>
    /// <param name="bosToken">The BOS text written first ("&lt;|begin_of_text|&gt;").</param>
    /// <param name="withDateHeader">Whether to write Llama 3.1's system header (cutoff and date).</param>
    /// <param name="todayDate">The date in that header; the templates' default is "26 Jul 2024".</param>
    public Llama3ChatFormatter(string bosToken = "<|begin_of_text|>", bool withDateHeader = false, string todayDate = "26 Jul 2024")
    {
        BosToken = bosToken ?? throw new ArgumentNullException(nameof(bosToken));
        WithDateHeader = withDateHeader;
        TodayDate = todayDate ?? throw new ArgumentNullException(nameof(todayDate));
    }

    /// <summary>The BOS text written first.</summary>
    public string BosToken { get; }

    /// <summary>Whether the Llama 3.1 system header ("Cutting Knowledge Date: December 2023", "Today Date: ...") is written.</summary>
    public bool WithDateHeader { get; }

    /// <summary>The date written in the Llama 3.1 system header.</summary>
    public string TodayDate { get; }

    /// <inheritdoc />
    public string Format(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var text = new StringBuilder(BosToken);
        IEnumerable<ChatMessage> rest = messages;
        if (WithDateHeader)
        {
            var system = messages.Count > 0 && messages[0].Role == "system" ? messages[0].Content.Trim() : "";
            if (messages.Count > 0 && messages[0].Role == "system") rest = messages.Skip(1);
            Turn(text, "system", $"Cutting Knowledge Date: December 2023\nToday Date: {TodayDate}\n\n{system}");
        }
        foreach (var m in rest) Turn(text, m.Role, m.Content.Trim());
        if (addGenerationPrompt) text.Append("<|start_header_id|>assistant<|end_header_id|>\n\n");
        return text.ToString();
    }

    private static void Turn(StringBuilder text, string role, string content) =>
        text.Append("<|start_header_id|>").Append(role).Append("<|end_header_id|>\n\n").Append(content).Append("<|eot_id|>");
}
