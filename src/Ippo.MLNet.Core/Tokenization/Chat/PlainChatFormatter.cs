using System.Text;

namespace Ippo.MLNet.Core.Tokenization.Chat;

/// <summary>
/// The fallback for tokenizers without a chat template: a lone user message is its content unchanged (so a plain
/// prompt stays what it was); otherwise one "{Role}: {content}" line per message and "Assistant:" as the generation prompt.
/// </summary>
public sealed class PlainChatFormatter : IChatFormatter
{
    /// <inheritdoc />
    public string Format(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 1 && messages[0].Role == "user") return messages[0].Content;
        var text = new StringBuilder();
        foreach (var m in messages) text.Append(Capitalized(m.Role)).Append(": ").Append(m.Content).Append('\n');
        if (addGenerationPrompt) text.Append("Assistant:");
        return text.ToString();
    }

    private static string Capitalized(string role) => role.Length == 0 ? role : char.ToUpperInvariant(role[0]) + role[1..];
}
