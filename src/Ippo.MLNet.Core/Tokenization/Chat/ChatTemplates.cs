using System.Text.RegularExpressions;

namespace Ippo.MLNet.Core.Tokenization.Chat;

/// <summary>Recognises a tokenizer_config.json chat_template as one of the formatters the library has.</summary>
public static class ChatTemplates
{
    /// <summary>
    /// The formatter for <paramref name="chatTemplate"/>: <see cref="PlainChatFormatter"/> when there is none,
    /// <see cref="ChatMLFormatter"/> for a ChatML template (its default system turn read from the template),
    /// <see cref="Llama3ChatFormatter"/> for Llama 3's (with the 3.1 date header when the template writes one);
    /// any other template gives a formatter whose use is a <see cref="NotSupportedException"/> saying how to pass one's own.
    /// </summary>
    /// <param name="chatTemplate">The Jinja template text, or null.</param>
    /// <param name="bosToken">The tokenizer's BOS text (written by Llama 3's template).</param>
    public static IChatFormatter FromTemplate(string? chatTemplate, string bosToken)
    {
        if (string.IsNullOrWhiteSpace(chatTemplate)) return new PlainChatFormatter();
        if (chatTemplate.Contains("<|im_start|>"))
        {
            // Qwen2/2.5 write their default system turn as one literal: '<|im_start|>system\nYou are ...<|im_end|>\n'.
            var match = Regex.Match(chatTemplate, @"'<\|im_start\|>system\\n([^'{}]+?)<\|im_end\|>\\n'");
            return new ChatMLFormatter(match.Success ? match.Groups[1].Value : null);
        }
        if (chatTemplate.Contains("<|start_header_id|>") && chatTemplate.Contains("<|eot_id|>"))
            return new Llama3ChatFormatter(bosToken.Length > 0 ? bosToken : "<|begin_of_text|>", chatTemplate.Contains("Cutting Knowledge Date"));
        return new UnrecognizedChatTemplate(chatTemplate);
    }
}
