using System.Text.Json.Nodes;
using static Ippo.MLNet.Core.Models.ConfigFields;

namespace Ippo.MLNet.Core.Models.Gpt2;

/// <summary>Reads and writes <see cref="Gpt2Config"/> as Hugging Face's config.json.</summary>
public static class Gpt2ConfigJson
{
    /// <summary>Reads the fields GPT-2 uses; fails naming the field for a missing, malformed or unsupported one.</summary>
    public static Gpt2Config Read(JsonObject json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var config = new Gpt2Config
        {
            VocabSize = RequiredInt(json, "vocab_size", 2, 10_000_000),
            NPositions = OptionalInt(json, "n_positions", 1, 1_048_576) ?? 1_024,
            NEmbd = RequiredInt(json, "n_embd", 1, 65_536),
            NLayer = RequiredInt(json, "n_layer", 1, 1_024),
            NHead = RequiredInt(json, "n_head", 1, 65_536),
            NInner = OptionalInt(json, "n_inner", 1, 1_048_576),
            LayerNormEpsilon = OptionalDouble(json, "layer_norm_epsilon", double.Epsilon, 1) ?? 1e-5,
            ActivationFunction = OptionalString(json, "activation_function") ?? "gelu_new",
            ScaleAttnWeights = OptionalBool(json, "scale_attn_weights") ?? true,
            ScaleAttnByInverseLayerIdx = OptionalBool(json, "scale_attn_by_inverse_layer_idx") ?? false,
            TieWordEmbeddings = OptionalBool(json, "tie_word_embeddings") ?? true,
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
    public static JsonObject Write(Gpt2Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var json = (JsonObject?)config.SourceJson?.DeepClone() ?? new JsonObject { ["architectures"] = new JsonArray(JsonValue.Create("GPT2LMHeadModel")) };
        json["model_type"] = config.ModelType;
        json["vocab_size"] = config.VocabSize;
        json["n_positions"] = config.NPositions;
        json["n_embd"] = config.NEmbd;
        json["n_layer"] = config.NLayer;
        json["n_head"] = config.NHead;
        json["n_inner"] = config.NInner;
        json["layer_norm_epsilon"] = config.LayerNormEpsilon;
        json["activation_function"] = config.ActivationFunction;
        json["scale_attn_weights"] = config.ScaleAttnWeights;
        json["scale_attn_by_inverse_layer_idx"] = config.ScaleAttnByInverseLayerIdx;
        json["tie_word_embeddings"] = config.TieWordEmbeddings;
        Set(json, "bos_token_id", config.BosTokenId is { } bos ? JsonValue.Create(bos) : null);
        Set(json, "eos_token_id", TokenIdsNode(config.EosTokenIds));
        json["initializer_range"] = config.InitializerRange;
        return json;
    }
}
