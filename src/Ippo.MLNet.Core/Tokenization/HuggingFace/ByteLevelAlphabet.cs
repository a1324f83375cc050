namespace Ippo.MLNet.Core.Tokenization.HuggingFace;

/// <summary>
/// GPT-2's byte-level alphabet: every byte 0..255 has one printable character, so a byte-level vocabulary writes any
/// UTF-8 text with 256 base symbols. Printable Latin-1 bytes stand for themselves; the others (controls, space, 0x7F-0xA0,
/// 0xAD) take the characters from U+0100 upward in byte order.
/// </summary>
internal static class ByteLevelAlphabet
{
    private static readonly char[] CharOfByte = BuildCharOfByte();
    private static readonly Dictionary<char, byte> ByteOfChar =
        CharOfByte.Select((c, b) => (c, b)).ToDictionary(p => p.c, p => (byte)p.b);

    /// <summary>The character standing for <paramref name="value"/>.</summary>
    public static char CharOf(byte value) => CharOfByte[value];

    /// <summary>The byte a character stands for, or false when it is outside the alphabet.</summary>
    public static bool TryGetByte(char symbol, out byte value) => ByteOfChar.TryGetValue(symbol, out value);

    /// <summary>The byte-level spelling of <paramref name="text"/>: its UTF-8 bytes, each as its alphabet character.</summary>
    public static string Spell(ReadOnlySpan<char> text)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text.ToArray());
        return string.Create(bytes.Length, bytes, static (span, b) =>
        {
            for (int i = 0; i < b.Length; i++) span[i] = CharOfByte[b[i]];
        });
    }

    /// <summary>
    /// Appends the bytes a token spells to <paramref name="bytes"/>. A token with a character outside the alphabet (an
    /// added token such as "&lt;|im_start|&gt;" in another script) contributes its own UTF-8 bytes, as Hugging Face's
    /// ByteLevel decoder does.
    /// </summary>
    public static void AppendBytes(string token, List<byte> bytes)
    {
        int start = bytes.Count;
        foreach (var c in token)
        {
            if (!ByteOfChar.TryGetValue(c, out var b))
            {
                bytes.RemoveRange(start, bytes.Count - start);
                bytes.AddRange(System.Text.Encoding.UTF8.GetBytes(token));
                return;
            }
            bytes.Add(b);
        }
    }

    private static char[] BuildCharOfByte()
    {
        var map = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++)
        {
            bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            map[b] = printable ? (char)b : (char)next++;
        }
        return map;
    }
}
