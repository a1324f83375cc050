using System.Text.Json;
using System.Text.Json.Nodes;
using Ippo.MLNet.Core.Checkpoints;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Models;

/// <summary>The built-in GPT (<see cref="GptLanguageModel"/>): model_type "ippo-gpt", config fields as <see cref="GptConfig"/> names them.</summary>
public sealed class GptArchitecture : ICausalLMArchitecture
{
    /// <summary>The built-in GPT's model_type.</summary>
    public const string ModelType = "ippo-gpt";

    /// <inheritdoc />
    public IReadOnlyList<string> ModelTypes { get; } = new[] { ModelType };

    /// <inheritdoc />
    public ICausalLMConfig ReadConfig(JsonObject config)
    {
        var copy = (JsonObject)config.DeepClone();
        copy.Remove("model_type");
        return (copy.Deserialize<GptConfig>(CheckpointJson.Options) ?? throw new InvalidDataException("The config is empty.")).Validate();
    }

    /// <inheritdoc />
    public JsonObject WriteConfig(ICausalLMConfig config)
    {
        var json = JsonSerializer.SerializeToNode((GptConfig)config, CheckpointJson.Options)!.AsObject();
        json.Insert(0, "model_type", ModelType);
        return json;
    }

    /// <inheritdoc />
    public CausalLanguageModel Create(ICausalLMConfig config) => new GptLanguageModel((GptConfig)config);

    /// <inheritdoc />
    public Dictionary<string, Tensor> FromHuggingFace(IReadOnlyDictionary<string, Tensor> stored, ICausalLMConfig config) =>
        stored.ToDictionary(kv => kv.Key, kv => kv.Value);

    /// <inheritdoc />
    public Dictionary<string, Tensor> ToHuggingFace(IReadOnlyDictionary<string, Tensor> state, ICausalLMConfig config) =>
        state.ToDictionary(kv => kv.Key, kv => kv.Value);
}
