using System.Text.Json;
using System.Text.Json.Nodes;
using Ippo.MLNet.Core.Checkpoints;
using Ippo.MLNet.Core.Models;
using static TorchSharp.torch;

namespace Ippo.MLNet.Tests.Seam;

/// <summary>Registers <see cref="TinyTestModel"/> under model_type "test-tiny": the one registration a new architecture needs.</summary>
internal sealed class TinyTestArchitecture : ICausalLMArchitecture
{
    public IReadOnlyList<string> ModelTypes { get; } = new[] { TinyTestConfig.Type };

    public static void Register() => ModelRegistry.Register(new TinyTestArchitecture());

    public ICausalLMConfig ReadConfig(JsonObject config)
    {
        var copy = (JsonObject)config.DeepClone();
        copy.Remove("model_type");
        return copy.Deserialize<TinyTestConfig>(CheckpointJson.Options) ?? throw new InvalidDataException("The config is empty.");
    }

    public JsonObject WriteConfig(ICausalLMConfig config)
    {
        var json = JsonSerializer.SerializeToNode((TinyTestConfig)config, CheckpointJson.Options)!.AsObject();
        json.Insert(0, "model_type", TinyTestConfig.Type);
        return json;
    }

    public CausalLanguageModel Create(ICausalLMConfig config) => new TinyTestModel((TinyTestConfig)config);

    public Dictionary<string, Tensor> FromHuggingFace(IReadOnlyDictionary<string, Tensor> stored, ICausalLMConfig config) =>
        stored.ToDictionary(kv => kv.Key, kv => kv.Value);

    public Dictionary<string, Tensor> ToHuggingFace(IReadOnlyDictionary<string, Tensor> state, ICausalLMConfig config) =>
        state.ToDictionary(kv => kv.Key, kv => kv.Value);
}
