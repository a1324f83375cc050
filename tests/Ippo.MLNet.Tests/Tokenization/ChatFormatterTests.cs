using System.Text.Json;
using Ippo.MLNet.Core.Tokenization;
using Ippo.MLNet.Core.Tokenization.Chat;
using NUnit.Framework;

namespace Ippo.MLNet.Tests.Tokenization;

public class ChatFormatterTests
{
    private static readonly ChatMessage[] UserOnly = { ChatMessage.User("What is 2+3?") };
    private static readonly ChatMessage[] WithSystem = { ChatMessage.System("Be brief."), ChatMessage.User("What is 2+3?"), ChatMessage.Assistant("5"), ChatMessage.User(" And 4+4? ") };

    // The expected strings are what Qwen2.5's and Llama 3's published templates render for these messages.
    [Test]
    public void ChatMLWritesQwensDefaultSystemTurnAndTheGenerationPrompt()
    {
        var qwen = new ChatMLFormatter("You are Qwen, created by Alibaba Cloud. You are a helpful assistant.");
        Assert.That(qwen.Format(UserOnly, addGenerationPrompt: true), Is.EqualTo(
            "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n" +
            "<|im_start|>user\nWhat is 2+3?<|im_end|>\n<|im_start|>assistant\n"));
        Assert.That(qwen.Format(WithSystem, addGenerationPrompt: false), Is.EqualTo(
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nWhat is 2+3?<|im_end|>\n<|im_start|>assistant\n5<|im_end|>\n" +
            "<|im_start|>user\n And 4+4? <|im_end|>\n"));
        Assert.That(new ChatMLFormatter().Format(UserOnly, true), Is.EqualTo("<|im_start|>user\nWhat is 2+3?<|im_end|>\n<|im_start|>assistant\n"), "Qwen3: no default system turn");
    }

    [Test]
    public void LlamaThreeWritesBosHeadersAndTrimmedContent()
    {
        Assert.That(new Llama3ChatFormatter().Format(WithSystem, addGenerationPrompt: true), Is.EqualTo(
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>" +
            "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+3?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n5<|eot_id|>" +
            "<|start_header_id|>user<|end_header_id|>\n\nAnd 4+4?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"));
        Assert.That(new Llama3ChatFormatter(withDateHeader: true).Format(UserOnly, addGenerationPrompt: true), Is.EqualTo(
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n<|eot_id|>" +
            "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+3?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"));
    }

    [Test]
    public void TemplatesAreRecognisedAndAnUnknownOneSaysHowToPassAFormatter()
    {
        var qwen = ChatTemplates.FromTemplate("{{- '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{% for m in messages %}...", "");
        Assert.That(qwen, Is.TypeOf<ChatMLFormatter>());
        Assert.That(((ChatMLFormatter)qwen).DefaultSystemMessage, Is.EqualTo("You are a helpful assistant."));
        Assert.That(ChatTemplates.FromTemplate("{% for m in messages %}<|im_start|>{{ m.role }}...", ""), Is.TypeOf<ChatMLFormatter>()
            .With.Property(nameof(ChatMLFormatter.DefaultSystemMessage)).Null);
        var llama = ChatTemplates.FromTemplate("{{ bos_token }}<|start_header_id|>...<|eot_id|>", "<|begin_of_text|>");
        Assert.That(llama, Is.TypeOf<Llama3ChatFormatter>().With.Property(nameof(Llama3ChatFormatter.WithDateHeader)).False);
        Assert.That(ChatTemplates.FromTemplate(null, ""), Is.TypeOf<PlainChatFormatter>());
        var unknown = ChatTemplates.FromTemplate("{% for m in messages %}[INST] {{ m.content }} [/INST]{% endfor %}", "<s>");
        var error = Assert.Throws<NotSupportedException>(() => unknown.Format(UserOnly, true))!;
        Assert.That(error.Message, Does.Contain("IChatFormatter").And.Contain("PolicyTokenizer.ChatFormatter").And.Contain("[INST]"));
    }

    [Test]
    public void APlainPromptStaysAsItIsAndSeveralMessagesGetRoles()
    {
        var plain = new PlainChatFormatter();
        Assert.That(plain.Format(UserOnly, true), Is.EqualTo("What is 2+3?"));
        Assert.That(plain.Format(WithSystem.Take(2).ToList(), true), Is.EqualTo("System: Be brief.\nUser: What is 2+3?\nAssistant:"));
    }

    [Test]
    public void AChatPromptEncodesWithItsSpecialTokensMatched()
    {
        var folder = Directory.CreateTempSubdirectory("ippo-chat-").FullName;
        try
        {
            TokenizerJsonFixtures.WriteQwen2Style(folder);
            File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["eos_token"] = "<|im_end|>", ["chat_template"] = "{% for m in messages %}<|im_start|>{{ m.role }}\\n{{ m.content }}<|im_end|>\\n{% endfor %}",
            }));
            var tok = PolicyTokenizer.FromPretrained(folder);
            var ids = tok.EncodeChat(UserOnly);
            Assert.That(ids.Count(i => i == 457), Is.EqualTo(2), "two <|im_start|>");
            Assert.That(ids.Count(i => i == 458), Is.EqualTo(1), "one <|im_end|>");
            Assert.That(tok.Decode(ids, skipSpecialTokens: false), Is.EqualTo("<|im_start|>user\nWhat is 2+3?<|im_end|>\n<|im_start|>assistant\n"));
            tok.ChatFormatter = new PlainChatFormatter();
            Assert.That(tok.EncodeChat(UserOnly), Is.EqualTo(tok.Encode("What is 2+3?")), "a formatter of one's own replaces the template's");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
