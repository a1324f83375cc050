using System.Text.Json.Nodes;

namespace Ippo.MLNet.Core.Models.Llama;

/// <summary>
/// Shape of a Llama-family model (Llama 2/3, Mistral, Qwen2/2.5, Qwen3, SmolLM): the only constructor argument of its
/// modules. Each property is the config.json field in its doc; <see cref="LlamaConfigJson"/> reads and writes them and
/// keeps every other field of the file it was read from (<see cref="SourceJson"/>).
/// </summary>
public sealed record LlamaConfig : ICausalLMConfig
{
    /// <summary>Every model_type this record describes.</summary>
    public static readonly IReadOnlyList<string> ModelTypes = new[] { "llama", "mistral", "qwen2", "qwen3" };

    /// <summary><c>model_type</c>. Default "llama"; one of <see cref="ModelTypes"/>. "qwen2" adds q/k/v biases, "qwen3" per-head q/k norms.</summary>
    public string ModelType { get; init; } = "llama";

    /// <summary><c>vocab_size</c>: embedding rows. Default 320; range [2, 10,000,000].</summary>
    public int VocabSize { get; init; } = 320;

    /// <summary><c>hidden_size</c>. Default 64; range [2, 65,536].</summary>
    public int HiddenSize { get; init; } = 64;

    /// <summary><c>intermediate_size</c>: the SwiGLU width. Default 128; range [1, 1,048,576].</summary>
    public int IntermediateSize { get; init; } = 128;

    /// <summary><c>num_hidden_layers</c>. Default 2; range [1, 1,024].</summary>
    public int NumHiddenLayers { get; init; } = 2;

    /// <summary><c>num_attention_heads</c>. Default 4; range [1, 4,096].</summary>
    public int NumAttentionHeads { get; init; } = 4;

    /// <summary><c>num_key_value_heads</c> (grouped-query attention). Default: NumAttentionHeads; must divide it.</summary>
    public int? NumKeyValueHeads { get; init; }

    /// <summary><c>head_dim</c>. Default: HiddenSize / NumAttentionHeads; must be even (rotary halves). Qwen3 sets it explicitly.</summary>
    public int? HeadDim { get; init; }

    /// <summary><c>max_position_embeddings</c>: longest sequence. Default 128; range [1, 100,000,000].</summary>
    public int MaxPositionEmbeddings { get; init; } = 128;

    /// <summary><c>rms_norm_eps</c>. Default 1e-6; range (0, 1).</summary>
    public double RmsNormEps { get; init; } = 1e-6;

    /// <summary><c>rope_theta</c>: the rotary base. Default 10,000; range (1, 1e12].</summary>
    public double RopeTheta { get; init; } = 10_000;

    /// <summary><c>rope_scaling</c>; null for none.</summary>
    public LlamaRopeScaling? RopeScaling { get; init; }

    /// <summary><c>attention_bias</c>: biases on q, k, v and o (Llama, Qwen3). Default false. Qwen2 has q/k/v biases regardless.</summary>
    public bool AttentionBias { get; init; }

    /// <summary><c>mlp_bias</c>: biases on gate, up and down projections. Default false.</summary>
    public bool MlpBias { get; init; }

    /// <summary><c>tie_word_embeddings</c>: the LM head reuses embed_tokens (no lm_head.weight). Default false (Hugging Face's for this family).</summary>
    public bool TieWordEmbeddings { get; init; }

    /// <summary><c>sliding_window</c> (Mistral): a query sees at most this many latest keys, itself included; null for full attention. Range [1, 100,000,000].</summary>
    public int? SlidingWindow { get; init; }

    /// <summary><c>bos_token_id</c>; null when the config has none.</summary>
    public int? BosTokenId { get; init; }

    /// <summary><c>eos_token_id</c>: one id or several (Llama 3 Instruct); null when the config has none.</summary>
    public IReadOnlyList<int>? EosTokenIds { get; init; }

    /// <summary><c>initializer_range</c>: std of the normal initialisation of fresh weights. Default 0.02; range (0, 10].</summary>
    public double InitializerRange { get; init; } = 0.02;

    /// <summary>The config.json this record was read from (fields it does not model are written back unchanged); null when built in code.</summary>
    public JsonObject? SourceJson { get; init; }

    /// <summary>Key/value heads after the default.</summary>
    public int KeyValueHeads => NumKeyValueHeads ?? NumAttentionHeads;

    /// <summary>Width of one head after the default.</summary>
    public int HeadSize => HeadDim ?? HiddenSize / NumAttentionHeads;

    /// <summary>True when q, k and v projections carry a bias (Qwen2 always; others with attention_bias).</summary>
    public bool QkvBias => ModelType == "qwen2" || AttentionBias;

    /// <summary>True when the output projection carries a bias (attention_bias; never in Qwen2).</summary>
    public bool OutputBias => ModelType != "qwen2" && AttentionBias;

    /// <summary>True when q and k get a per-head RMSNorm before the rotary embedding (Qwen3).</summary>
    public bool QkNorm => ModelType == "qwen3";

    int ICausalLMConfig.ContextLength => MaxPositionEmbeddings;

    int ICausalLMConfig.Layers => NumHiddenLayers;

    /// <summary>Dropout is not applied by this implementation (pretrained models train without it): always 0.</summary>
    double ICausalLMConfig.Dropout => 0;

    bool ICausalLMConfig.TieEmbeddings => TieWordEmbeddings;

    /// <summary>Equal when both write the same config.json (token id lists and the kept source fields compared by value).</summary>
    public bool Equals(LlamaConfig? other) => other is not null && Json() == other.Json();

    /// <inheritdoc />
    public override int GetHashCode() => Json().GetHashCode(StringComparison.Ordinal);

    private string Json() => LlamaConfigJson.Write(this).ToJsonString();

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the config.json field out of its range.</summary>
    public LlamaConfig Validate()
    {
        if (!ModelTypes.Contains(ModelType))
            throw new ArgumentOutOfRangeException("model_type", ModelType, $"model_type must be one of {string.Join(", ", ModelTypes)}.");
        Check("vocab_size", VocabSize, 2, 10_000_000);
        Check("hidden_size", HiddenSize, 2, 65_536);
        Check("intermediate_size", IntermediateSize, 1, 1_048_576);
        Check("num_hidden_layers", NumHiddenLayers, 1, 1_024);
        Check("num_attention_heads", NumAttentionHeads, 1, 4_096);
        Check("num_key_value_heads", KeyValueHeads, 1, NumAttentionHeads);
        if (NumAttentionHeads % KeyValueHeads != 0)
            throw new ArgumentOutOfRangeException("num_key_value_heads", KeyValueHeads, $"num_key_value_heads must divide num_attention_heads ({NumAttentionHeads}).");
        if (HeadDim is null && HiddenSize % NumAttentionHeads != 0)
            throw new ArgumentOutOfRangeException("num_attention_heads", NumAttentionHeads, $"hidden_size ({HiddenSize}) must be a multiple of num_attention_heads when head_dim is not given.");
        Check("head_dim", HeadSize, 2, 65_536);
        if (HeadSize % 2 != 0) throw new ArgumentOutOfRangeException("head_dim", HeadSize, "head_dim must be even (the rotary embedding rotates halves).");
        Check("max_position_embeddings", MaxPositionEmbeddings, 1, 100_000_000);
        if (SlidingWindow is { } window) Check("sliding_window", window, 1, 100_000_000);
        if (!(RmsNormEps > 0 && RmsNormEps < 1)) throw new ArgumentOutOfRangeException("rms_norm_eps", RmsNormEps, "rms_norm_eps must be in (0, 1).");
        if (!(RopeTheta > 1 && RopeTheta <= 1e12)) throw new ArgumentOutOfRangeException("rope_theta", RopeTheta, "rope_theta must be in (1, 1e12].");
        if (!(InitializerRange > 0 && InitializerRange <= 10)) throw new ArgumentOutOfRangeException("initializer_range", InitializerRange, "initializer_range must be in (0, 10].");
        if (RopeScaling is { } s)
        {
            if (!LlamaRopeScaling.SupportedTypes.Contains(s.RopeType))
                throw new ArgumentOutOfRangeException("rope_scaling.rope_type", s.RopeType, $"rope_scaling.rope_type must be one of {string.Join(", ", LlamaRopeScaling.SupportedTypes)}.");
            if (!(s.Factor >= 1 && s.Factor <= 1e6)) throw new ArgumentOutOfRangeException("rope_scaling.factor", s.Factor, "rope_scaling.factor must be in [1, 1e6].");
            if (s.RopeType == "llama3" && !(s.LowFreqFactor > 0 && s.HighFreqFactor > s.LowFreqFactor))
                throw new ArgumentOutOfRangeException("rope_scaling.high_freq_factor", s.HighFreqFactor, $"rope_scaling needs 0 < low_freq_factor ({s.LowFreqFactor}) < high_freq_factor.");
            Check("rope_scaling.original_max_position_embeddings", s.OriginalMaxPositionEmbeddings, 1, 100_000_000);
        }
        return this;
    }

    private static void Check(string field, int value, int min, int max)
    {
        if (value < min || value > max) throw new ArgumentOutOfRangeException(field, value, $"{field} must be in [{min}, {max}].");
    }
}
