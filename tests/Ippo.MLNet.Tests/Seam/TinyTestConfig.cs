using System.Text.Json.Serialization;
using Ippo.MLNet.Core.Models;

namespace Ippo.MLNet.Tests.Seam;

/// <summary>
/// Config of <see cref="TinyTestModel"/>, an architecture that exists only in the tests to prove the model seam: one
/// block, untied head, config.json fields in Hugging Face's snake_case.
/// </summary>
internal sealed record TinyTestConfig : ICausalLMConfig
{
    public const string Type = "test-tiny";

    [JsonPropertyName("vocab_size")]
    public int VocabSize { get; init; } = 24;

    [JsonPropertyName("max_position_embeddings")]
    public int ContextLength { get; init; } = 48;

    [JsonPropertyName("hidden_size")]
    public int HiddenSize { get; init; } = 32;

    [JsonPropertyName("init_seed")]
    public long InitSeed { get; init; }

    [JsonIgnore]
    public string ModelType => Type;

    [JsonIgnore]
    public int Layers => 1;

    [JsonIgnore]
    public double Dropout => 0;

    [JsonIgnore]
    public bool TieEmbeddings => false;

    [JsonIgnore]
    public IReadOnlyCollection<string> InitializationOnlyFields => new[] { "init_seed" };
}
