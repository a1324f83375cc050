namespace Ippo.MLNet.Core.Tokenization.Chat;

/// <summary>
/// Turns chat messages into the prompt text a model was tuned on. Implement it for a template the library does not
/// recognise and set <see cref="PolicyTokenizer.ChatFormatter"/>.
/// </summary>
public interface IChatFormatter
{
    /// <summary>
    /// The text of <paramref name="messages"/>; with <paramref name="addGenerationPrompt"/>, followed by the header
    /// that opens the assistant's turn (Hugging Face's add_generation_prompt=True). Special tokens are written as text.
    /// </summary>
    string Format(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt);
}
