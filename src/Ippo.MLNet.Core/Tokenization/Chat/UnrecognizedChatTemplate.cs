namespace Ippo.MLNet.Core.Tokenization.Chat;

/// <summary>Stands for a chat_template the library does not recognise: formatting with it is an error that says what to do.</summary>
internal sealed class UnrecognizedChatTemplate : IChatFormatter
{
    private readonly string _template;

    public UnrecognizedChatTemplate(string template) => _template = template;

    public string Format(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt) =>
        throw new NotSupportedException(
            $"tokenizer_config.json's chat_template (\"{(_template.Length > 80 ? _template[..80] + "..." : _template)}\") is not one this library " +
            "recognises (ChatML as Qwen writes it, Llama 3). Implement Ippo.MLNet.Core.Tokenization.Chat.IChatFormatter and set " +
            "PolicyTokenizer.ChatFormatter to it (or use ChatMLFormatter, Llama3ChatFormatter or PlainChatFormatter), or pass plain text prompts.");
}
