using System.Text;

namespace Ippo.MLNet.Core.Tokenization.Chat;

/// <summary>
/// ChatML as Qwen2/2.5/3 write it: <c>&lt;|im_start|&gt;{role}\n{content}&lt;|im_end|&gt;\n</c> per message, and
/// <c>&lt;|im_start|&gt;assistant\n</c> as the generation prompt. Qwen2/2.5 put a default system turn first when the
/// messages have none (<see cref="DefaultSystemMessage"/>); Qwen3 does not.
/// </summary>
public sealed class ChatMLFormatter : IChatFormatter
{
    /// <summary>Creates the formatter; <paramref name="defaultSystemMessage"/> null writes no default system turn.</summary>
    public ChatMLFormatter(string? defaultSystemMessage = null) => DefaultSystemMessage = defaultSystemMessage;

    /// <summary>The system turn written when the first message is not a system one; null for none.</summary>
    public string? DefaultSystemMessage { get; }

    /// <inheritdoc />
    public string Format(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var text = new StringBuilder();
        if (DefaultSystemMessage is not null && (messages.Count == 0 || messages[0].Role != "system"))
            text.Append("<|im_start|>system\n").Append(DefaultSystemMessage).Append("<|im_end|>\n");
        foreach (var m in messages) text.Append("<|im_start|>").Append(m.Role).Append('\n').Append(m.Content).Append("<|im_end|>\n");
        if (addGenerationPrompt) text.Append("<|im_start|>assistant\n");
        return text.ToString();
    }
}
