using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Models.Llama;

/// <summary>The Llama family (<see cref="LlamaForCausalLM"/>): model_type llama (also SmolLM), mistral, qwen2, qwen3.</summary>
public sealed class LlamaArchitecture : ICausalLMArchitecture
{
    /// <inheritdoc />
    public IReadOnlyList<string> ModelTypes => LlamaConfig.ModelTypes;

    /// <inheritdoc />
    public ICausalLMConfig ReadConfig(JsonObject config) => LlamaConfigJson.Read(config);

    /// <inheritdoc />
    public JsonObject WriteConfig(ICausalLMConfig config) => LlamaConfigJson.Write((LlamaConfig)config);

    /// <inheritdoc />
    public CausalLanguageModel Create(ICausalLMConfig config) => new LlamaForCausalLM((LlamaConfig)config);

    /// <summary>Hugging Face's names are this implementation's; rotary inv_freq buffers of old checkpoints and a tied model's copy of lm_head.weight are dropped.</summary>
    public Dictionary<string, Tensor> FromHuggingFace(IReadOnlyDictionary<string, Tensor> stored, ICausalLMConfig config) =>
        stored.Where(kv => !kv.Key.EndsWith("rotary_emb.inv_freq", StringComparison.Ordinal) &&
                           !(config.TieEmbeddings && kv.Key == "lm_head.weight"))
              .ToDictionary(kv => kv.Key, kv => kv.Value);

    /// <inheritdoc />
    public Dictionary<string, Tensor> ToHuggingFace(IReadOnlyDictionary<string, Tensor> state, ICausalLMConfig config) =>
        state.ToDictionary(kv => kv.Key, kv => kv.Value);
}
