using System.Text.Json.Nodes;
using static Ippo.MLNet.Core.Models.ConfigFields;

namespace Ippo.MLNet.Core.Models.Llama;

/// <summary>Reads and writes <see cref="LlamaConfig"/> as Hugging Face's config.json.</summary>
public static class LlamaConfigJson
{
    /// <summary>Reads the fields this family uses; fails naming the field for a missing, malformed or unsupported one.</summary>
    public static LlamaConfig Read(JsonObject json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var type = OptionalString(json, "model_type") ?? "llama";
        if (OptionalString(json, "hidden_act") is { } act && act != "silu")
            throw new InvalidDataException($"config.json field 'hidden_act' is '{act}'; this implementation supports 'silu'.");
        if (type is "qwen2" or "qwen3" && OptionalBool(json, "use_sliding_window") == true)
            throw new InvalidDataException("config.json field 'use_sliding_window' is true; sliding-window attention is supported for model_type 'mistral' only.");
        var config = new LlamaConfig
        {
            ModelType = type,
            VocabSize = RequiredInt(json, "vocab_size", 2, 10_000_000),
            HiddenSize = RequiredInt(json, "hidden_size", 2, 65_536),
            IntermediateSize = RequiredInt(json, "intermediate_size", 1, 1_048_576),
            NumHiddenLayers = RequiredInt(json, "num_hidden_layers", 1, 1_024),
            NumAttentionHeads = RequiredInt(json, "num_attention_heads", 1, 4_096),
            NumKeyValueHeads = OptionalInt(json, "num_key_value_heads", 1, 4_096),
            HeadDim = OptionalInt(json, "head_dim", 2, 65_536),
            MaxPositionEmbeddings = OptionalInt(json, "max_position_embeddings", 1, 100_000_000) ?? 2048,
            RmsNormEps = OptionalDouble(json, "rms_norm_eps", double.Epsilon, 1) ?? 1e-6,
            RopeTheta = OptionalDouble(json, "rope_theta", 1, 1e12) ?? 10_000,
            RopeScaling = json["rope_scaling"] is JsonObject scaling ? ReadScaling(scaling) : null,
            AttentionBias = OptionalBool(json, "attention_bias") ?? false,
            MlpBias = OptionalBool(json, "mlp_bias") ?? false,
            TieWordEmbeddings = OptionalBool(json, "tie_word_embeddings") ?? false,
            SlidingWindow = type == "mistral" ? OptionalInt(json, "sliding_window", 1, 100_000_000) : null,
            BosTokenId = OptionalInt(json, "bos_token_id", 0, int.MaxValue),
            EosTokenIds = TokenIds(json, "eos_token_id"),
            InitializerRange = OptionalDouble(json, "initializer_range", double.Epsilon, 10) ?? 0.02,
            SourceJson = (JsonObject)json.DeepClone(),
        };
        try
        {
            return config.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new InvalidDataException($"config.json: {e.Message}", e);
        }
    }

    /// <summary>The config as config.json: the source file's fields, with the ones this record models set from it.</summary>
    public static JsonObject Write(LlamaConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var json = (JsonObject?)config.SourceJson?.DeepClone() ?? new JsonObject
        {
            ["architectures"] = new JsonArray(JsonValue.Create(Architecture(config.ModelType))),
            ["hidden_act"] = "silu",
        };
        json["model_type"] = config.ModelType;
        json["vocab_size"] = config.VocabSize;
        json["hidden_size"] = config.HiddenSize;
        json["intermediate_size"] = config.IntermediateSize;
        json["num_hidden_layers"] = config.NumHiddenLayers;
        json["num_attention_heads"] = config.NumAttentionHeads;
        json["num_key_value_heads"] = config.KeyValueHeads;
        json["head_dim"] = config.HeadSize;
        json["max_position_embeddings"] = config.MaxPositionEmbeddings;
        json["rms_norm_eps"] = config.RmsNormEps;
        json["rope_theta"] = config.RopeTheta;
        json["rope_scaling"] = config.RopeScaling is { } s ? WriteScaling(s, json["rope_scaling"] as JsonObject) : null;
        if (config.ModelType != "qwen2" || config.AttentionBias) json["attention_bias"] = config.AttentionBias;
        json["mlp_bias"] = config.MlpBias;
        json["tie_word_embeddings"] = config.TieWordEmbeddings;
        if (config.ModelType == "mistral") json["sliding_window"] = config.SlidingWindow;
        Set(json, "bos_token_id", config.BosTokenId is { } bos ? JsonValue.Create(bos) : null);
        Set(json, "eos_token_id", TokenIdsNode(config.EosTokenIds));
        json["initializer_range"] = config.InitializerRange;
        return json;
    }

    private static LlamaRopeScaling ReadScaling(JsonObject json)
    {
        var type = OptionalString(json, "rope_type") ?? OptionalString(json, "type") ?? "default";
        if (!LlamaRopeScaling.SupportedTypes.Contains(type))
            throw new InvalidDataException($"config.json field 'rope_scaling.rope_type' is '{type}'; supported: {string.Join(", ", LlamaRopeScaling.SupportedTypes)}.");
        return new LlamaRopeScaling
        {
            RopeType = type,
            Factor = OptionalDouble(json, "factor", 1, 1e6) ?? 1,
            LowFreqFactor = OptionalDouble(json, "low_freq_factor", double.Epsilon, 1e6) ?? 1,
            HighFreqFactor = OptionalDouble(json, "high_freq_factor", double.Epsilon, 1e6) ?? 4,
            OriginalMaxPositionEmbeddings = OptionalInt(json, "original_max_position_embeddings", 1, 100_000_000) ?? 8192,
        };
    }

    private static JsonObject WriteScaling(LlamaRopeScaling scaling, JsonObject? source)
    {
        var json = (JsonObject?)source?.DeepClone() ?? new JsonObject();
        json["rope_type"] = scaling.RopeType;
        json["factor"] = scaling.Factor;
        if (scaling.RopeType == "llama3")
        {
            json["low_freq_factor"] = scaling.LowFreqFactor;
            json["high_freq_factor"] = scaling.HighFreqFactor;
            json["original_max_position_embeddings"] = scaling.OriginalMaxPositionEmbeddings;
        }
        return json;
    }

    private static string Architecture(string modelType) => modelType switch
    {
        "mistral" => "MistralForCausalLM",
        "qwen2" => "Qwen2ForCausalLM",
        "qwen3" => "Qwen3ForCausalLM",
        _ => "LlamaForCausalLM",
    };
}
