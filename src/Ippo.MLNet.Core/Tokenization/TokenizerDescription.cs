namespace Ippo.MLNet.Core.Tokenization;

/// <summary>
/// How to rebuild a <see cref="PolicyTokenizer"/>. For the library's own kinds it is written as tokenizer.json beside a
/// model's weights; for Hugging Face kinds ("tokenizer.json", "sentencepiece") as <see cref="PolicyTokenizer.SettingsFile"/>
/// next to the Hugging Face files, so that tokenizer.json stays the Hugging Face file.
/// </summary>
/// <param name="Kind">"arithmetic", "characters", "gpt2", "bpe" (vocab.json + merges.txt), "tokenizer.json" or "sentencepiece".</param>
/// <param name="VocabSize">Number of ids.</param>
/// <param name="PadId">Padding id.</param>
/// <param name="BosId">Beginning-of-sequence id; -1 when the tokenizer has none (Qwen).</param>
/// <param name="EosId">End-of-sequence id: the one put after training completions.</param>
/// <param name="VocabFile">For "bpe": the vocab.json file name inside the folder.</param>
/// <param name="MergesFile">For "bpe": the merges.txt file name inside the folder.</param>
/// <param name="EosToken">For "bpe": the end-of-sequence token text.</param>
/// <param name="EosIds">Every id that ends generation, <paramref name="EosId"/> first; null means just <paramref name="EosId"/>.</param>
/// <param name="PrependBos">Whether prompts start with BOS; null means true (what the library's own kinds always did).</param>
/// <param name="Alphabet">For "characters": the characters, in id order after the special tokens.</param>
/// <param name="UnknownToken">The token that unknown characters map to; null: an unknown character is an error.</param>
public sealed record TokenizerDescription(
    string Kind, int VocabSize, int PadId, int BosId, int EosId,
    string? VocabFile = null, string? MergesFile = null, string? EosToken = null,
    IReadOnlyList<int>? EosIds = null, bool? PrependBos = null, string? Alphabet = null, string? UnknownToken = null)
{
    /// <inheritdoc />
    public bool Equals(TokenizerDescription? other) =>
        other is not null && (Kind, VocabSize, PadId, BosId, EosId, VocabFile, MergesFile, EosToken, PrependBos, Alphabet, UnknownToken)
            == (other.Kind, other.VocabSize, other.PadId, other.BosId, other.EosId, other.VocabFile, other.MergesFile, other.EosToken,
                other.PrependBos, other.Alphabet, other.UnknownToken)
        && (EosIds ?? Array.Empty<int>()).SequenceEqual(other.EosIds ?? Array.Empty<int>());

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, VocabSize, PadId, BosId, EosId, Alphabet);
}
