namespace Ippo.MLNet.Core.Tokenization;

/// <summary>How to rebuild a <see cref="PolicyTokenizer"/>: written as tokenizer.json beside a model's weights.</summary>
/// <param name="Kind">"arithmetic", "gpt2" or "bpe".</param>
/// <param name="VocabSize">Number of ids.</param>
/// <param name="PadId">Padding id.</param>
/// <param name="BosId">Beginning-of-sequence id.</param>
/// <param name="EosId">End-of-sequence id.</param>
/// <param name="VocabFile">For "bpe": the vocab.json file name inside the folder.</param>
/// <param name="MergesFile">For "bpe": the merges.txt file name inside the folder.</param>
/// <param name="EosToken">For "bpe": the end-of-sequence token text.</param>
public sealed record TokenizerDescription(
    string Kind, int VocabSize, int PadId, int BosId, int EosId,
    string? VocabFile = null, string? MergesFile = null, string? EosToken = null);
