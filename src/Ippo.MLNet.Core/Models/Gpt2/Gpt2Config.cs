using System.Text.Json.Nodes;

namespace Ippo.MLNet.Core.Models.Gpt2;

/// <summary>
/// Shape of a GPT-2 model: the only constructor argument of its modules. Each property is the config.json field in
/// its doc; <see cref="Gpt2ConfigJson"/> reads and writes them and keeps every other field (<see cref="SourceJson"/>).
/// </summary>
public sealed record Gpt2Config : ICausalLMConfig
{
    /// <summary>The activation_function values this implementation applies ("gelu_new" and "gelu_pytorch_tanh" are the tanh approximation).</summary>
    public static readonly IReadOnlyList<string> SupportedActivations = new[] { "gelu_new", "gelu_pytorch_tanh", "gelu" };

    /// <summary><c>vocab_size</c>. Default 50,257; range [2, 10,000,000].</summary>
    public int VocabSize { get; init; } = 50_257;

    /// <summary><c>n_positions</c>: rows of the learned position table, the longest sequence. Default 1,024; range [1, 1,048,576].</summary>
    public int NPositions { get; init; } = 1_024;

    /// <summary><c>n_embd</c>: hidden width. Default 768; range [1, 65,536], a multiple of NHead.</summary>
    public int NEmbd { get; init; } = 768;

    /// <summary><c>n_layer</c>. Default 12; range [1, 1,024].</summary>
    public int NLayer { get; init; } = 12;

    /// <summary><c>n_head</c>. Default 12; range [1, NEmbd], dividing NEmbd.</summary>
    public int NHead { get; init; } = 12;

    /// <summary><c>n_inner</c>: MLP width; null means 4 * NEmbd. Range [1, 1,048,576].</summary>
    public int? NInner { get; init; }

    /// <summary><c>layer_norm_epsilon</c>. Default 1e-5; range (0, 1).</summary>
    public double LayerNormEpsilon { get; init; } = 1e-5;

    /// <summary><c>activation_function</c>. Default "gelu_new"; one of <see cref="SupportedActivations"/>.</summary>
    public string ActivationFunction { get; init; } = "gelu_new";

    /// <summary><c>scale_attn_weights</c>: divide scores by sqrt(head size). Default true.</summary>
    public bool ScaleAttnWeights { get; init; } = true;

    /// <summary><c>scale_attn_by_inverse_layer_idx</c>: also divide layer i's scores by i + 1. Default false.</summary>
    public bool ScaleAttnByInverseLayerIdx { get; init; }

    /// <summary><c>tie_word_embeddings</c>: the LM head reuses wte (no lm_head.weight). Default true.</summary>
    public bool TieWordEmbeddings { get; init; } = true;

    /// <summary><c>bos_token_id</c>; null when the config has none.</summary>
    public int? BosTokenId { get; init; }

    /// <summary><c>eos_token_id</c>: one id or several; null when the config has none.</summary>
    public IReadOnlyList<int>? EosTokenIds { get; init; }

    /// <summary><c>initializer_range</c>: std of fresh weights. Default 0.02; range (0, 10].</summary>
    public double InitializerRange { get; init; } = 0.02;

    /// <summary>The config.json this record was read from (fields it does not model are written back unchanged); null when built in code.</summary>
    public JsonObject? SourceJson { get; init; }

    /// <summary>Always "gpt2".</summary>
    public string ModelType => "gpt2";

    /// <summary>MLP width after the default.</summary>
    public int InnerSize => NInner ?? 4 * NEmbd;

    /// <summary>Width of one head.</summary>
    public int HeadSize => NEmbd / NHead;

    int ICausalLMConfig.ContextLength => NPositions;

    int ICausalLMConfig.HiddenSize => NEmbd;

    int ICausalLMConfig.Layers => NLayer;

    /// <summary>Dropout is not applied by this implementation (RL post-training runs without it): always 0.</summary>
    double ICausalLMConfig.Dropout => 0;

    bool ICausalLMConfig.TieEmbeddings => TieWordEmbeddings;

    /// <summary>Equal when both write the same config.json (token id lists and the kept source fields compared by value).</summary>
    public bool Equals(Gpt2Config? other) => other is not null && Json() == other.Json();

    /// <inheritdoc />
    public override int GetHashCode() => Json().GetHashCode(StringComparison.Ordinal);

    private string Json() => Gpt2ConfigJson.Write(this).ToJsonString();

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the config.json field out of its range.</summary>
    public Gpt2Config Validate()
    {
        Check("vocab_size", VocabSize, 2, 10_000_000);
        Check("n_positions", NPositions, 1, 1_048_576);
        Check("n_embd", NEmbd, 1, 65_536);
        Check("n_layer", NLayer, 1, 1_024);
        Check("n_head", NHead, 1, NEmbd);
        if (NEmbd % NHead != 0) throw new ArgumentOutOfRangeException("n_head", NHead, $"n_embd ({NEmbd}) must be a multiple of n_head.");
        Check("n_inner", InnerSize, 1, 1_048_576);
        if (!(LayerNormEpsilon > 0 && LayerNormEpsilon < 1)) throw new ArgumentOutOfRangeException("layer_norm_epsilon", LayerNormEpsilon, "layer_norm_epsilon must be in (0, 1).");
        if (!SupportedActivations.Contains(ActivationFunction))
            throw new ArgumentOutOfRangeException("activation_function", ActivationFunction, $"activation_function must be one of {string.Join(", ", SupportedActivations)}.");
        if (!(InitializerRange > 0 && InitializerRange <= 10)) throw new ArgumentOutOfRangeException("initializer_range", InitializerRange, "initializer_range must be in (0, 10].");
        return this;
    }

    private static void Check(string field, int value, int min, int max)
    {
        if (value < min || value > max) throw new ArgumentOutOfRangeException(field, value, $"{field} must be in [{min}, {max}].");
    }
}
