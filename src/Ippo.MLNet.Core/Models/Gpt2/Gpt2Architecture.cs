using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Models.Gpt2;

/// <summary>
/// GPT-2 (<see cref="Gpt2LMHeadModel"/>), model_type "gpt2". Checkpoint keys may come with or without the
/// <c>transformer.</c> prefix (the original gpt2 upload has none); Conv1D weights are stored [in, out]; the legacy
/// <c>attn.bias</c> / <c>attn.masked_bias</c> mask buffers are ignored. Saving writes the prefixed layout.
/// </summary>
public sealed class Gpt2Architecture : ICausalLMArchitecture
{
    private const string Prefix = "transformer.";

    private static readonly string[] Conv1DWeights = { ".attn.c_attn.weight", ".attn.c_proj.weight", ".mlp.c_fc.weight", ".mlp.c_proj.weight" };

    /// <inheritdoc />
    public IReadOnlyList<string> ModelTypes { get; } = new[] { "gpt2" };

    /// <inheritdoc />
    public ICausalLMConfig ReadConfig(JsonObject config) => Gpt2ConfigJson.Read(config);

    /// <inheritdoc />
    public JsonObject WriteConfig(ICausalLMConfig config) => Gpt2ConfigJson.Write((Gpt2Config)config);

    /// <inheritdoc />
    public CausalLanguageModel Create(ICausalLMConfig config) => new Gpt2LMHeadModel((Gpt2Config)config);

    /// <inheritdoc />
    public Dictionary<string, Tensor> FromHuggingFace(IReadOnlyDictionary<string, Tensor> stored, ICausalLMConfig config)
    {
        var state = new Dictionary<string, Tensor>();
        foreach (var (key, value) in stored)
        {
            if (key.EndsWith(".attn.bias", StringComparison.Ordinal) || key.EndsWith(".attn.masked_bias", StringComparison.Ordinal)) continue;
            if (key == "lm_head.weight")
            {
                if (!config.TieEmbeddings) state[key] = value;
                continue;
            }
            var name = key.StartsWith(Prefix, StringComparison.Ordinal) ? key : Prefix + key;
            state[name] = IsConv1DWeight(name) ? value.t() : value;
        }
        return state;
    }

    /// <inheritdoc />
    public Dictionary<string, Tensor> ToHuggingFace(IReadOnlyDictionary<string, Tensor> state, ICausalLMConfig config) =>
        state.ToDictionary(kv => kv.Key, kv => IsConv1DWeight(kv.Key) ? kv.Value.t().contiguous() : kv.Value);

    private static bool IsConv1DWeight(string name) => Conv1DWeights.Any(suffix => name.EndsWith(suffix, StringComparison.Ordinal));
}
