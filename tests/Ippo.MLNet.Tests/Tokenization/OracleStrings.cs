namespace Ippo.MLNet.Tests.Tokenization;

/// <summary>At least 200 strings that exercise a byte-level tokenizer: English, digits, whitespace runs, newlines, accents, CJK, emoji, specials inline.</summary>
internal static class OracleStrings
{
    private static readonly string[] Base =
    {
        "Hello world", " Hello world", "hello, world! How are you?", "The answer is 42.", "12 + 7 = 19", "3*4=12 and 100/5=20",
        "2024", "1234567890", "3.14159", "-17", "1,000,000", "0.5%", "I'm sure they'll say it's fine, don't you think?",
        "IT'S DONE, WE'LL SEE", "You've I'd we're", "Natalia sold clips to 48 of her friends in April.", "#### 72",
        "<<48/2=24>>24 clips", "line one\nline two", "para\n\npara", "crlf\r\nline", "\r\n\r\n", "  leading and trailing  ",
        "tabs\tand\tspaces", "multiple   spaces here", "\n", " ", "   ", "\t\t", "a\n \nb", "end with newline\n", "x = 5 \n y",
        "café", "naïve résumé", "cafe\u0301 (decomposed)", "Ünïcödé ÀÉÎÕÜ", "Straße", "ﬁne ligature", "ＦＵＬＬ width", "Ελληνικά",
        "Русский текст", "עברית", "العربية ١٢٣", "हिन्दी", "日本", "日本語のテキスト", "中文，标点。", "한국어 문장", "混合 mixed 文本 123",
        "emoji 🙂 ok", "😀abc", "👍🏽 thumbs", "family 👨‍👩‍👧 zwj", "🇫🇷 flag", "𠀀 ext-B letter", "𠀀abc", "x😀abc", "𝐁𝐨𝐥𝐝 math", "a\u00A0nbsp",
        "ideographic\u3000space", "zero\u200Bwidth", "$hello €5 under_score", "@user #tag", "https://example.com/a?b=c",
        "{\"json\": [1, 2]}", "C:\\path\\to", "snake_case and camelCase", "...", "!!!???", "--- ***", "<|endoftext|>",
        "Hello<|endoftext|>world", "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n", "<|im_start", "x<|im_end|>y<|endoftext|>",
        " <|im_start|> spaced <|im_end|> ", "<tool_call>{}</tool_call>", "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>",
        "<|eot_id|><|end_of_text|>", "<|reserved_special_token_0|>x", "She sold 24 clips.\nThen 48 more.\n#### 72", " 48 of them",
        "He paid $12.50 for 3 items, then $7.", "\tindented\n\tlines", "'s 't 're", "O'Neil's", "rock'n'roll", "12345678901234567890",
        "a1b2c3", "x²+y³", "½ cup", "Ⅻ roman", "٣ arabic digit",
    };

    public static IReadOnlyList<string> All()
    {
        var all = new List<string>(Base) { "" };
        // Pairs glued with different separators, so pieces meet at every kind of boundary.
        string[] glue = { " ", "", "\n", "  " };
        for (int i = 0; i < Base.Length; i++)
        {
            all.Add(Base[i] + glue[i % glue.Length] + Base[(i * 7 + 3) % Base.Length]);
            all.Add(Base[(i * 11 + 5) % Base.Length] + glue[(i + 1) % glue.Length] + Base[i].ToUpperInvariant());
        }
        return all;
    }
}
