using Ippo.MLNet.Core.Models.Lora;
using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Models;

/// <summary>
/// Any causal language model the library trains: the built-in GPT, the Llama family, GPT-2. Hidden states and logits
/// are separate steps because the value head reads hidden states and the influence scores need the head's input.
/// State-dict names are the architecture's Hugging Face names. Sub-modules that hold parameters must be called
/// through <c>module.call</c> (forward hooks fire only there: the influence scores depend on it).
/// </summary>
public abstract class CausalLanguageModel : nn.Module
{
    /// <summary>Names the module (TorchSharp's module name).</summary>
    protected CausalLanguageModel(string name) : base(name)
    {
    }

    /// <summary>
    /// The architecture-neutral view of this model's config; the architecture's own record is a property of the
    /// concrete class (for example <see cref="GptLanguageModel.GptConfig"/>). No member may hide this one: TorchSharp
    /// reflects over module members by name.
    /// </summary>
    public abstract ICausalLMConfig Config { get; }

    /// <summary>
    /// Hidden states after the final norm. tokens [batch, queries] int64: the last <c>queries</c> tokens of the sequence;
    /// mask [batch, seen] (1 = real token, 0 = padding; float32 or bool) covering cached and new tokens. Position ids
    /// follow each row's real tokens (<see cref="AttentionMasks.Positions"/>), so left-padded prompts and right-padded
    /// completions mix in one batch. cache: null for a full forward; else it receives this step's keys and values.
    /// Returns [batch, queries, <see cref="ICausalLMConfig.HiddenSize"/>].
    /// </summary>
    public abstract Tensor Hidden(Tensor tokens, Tensor mask, KvCache? cache = null);

    /// <summary>Logits over the vocabulary: hidden [..., hidden] -> [..., vocab].</summary>
    public abstract Tensor Logits(Tensor hidden);

    /// <summary>
    /// State-dict name of the token embedding when it is also the LM head (then <see cref="Logits"/> multiplies by it
    /// outside any Linear module, and influence scoring records that use itself); null when the head is untied.
    /// </summary>
    public abstract string? TiedHeadParameterName { get; }

    /// <summary>
    /// A new model of the same architecture and config, on the CPU, with freshly initialised weights (callers copy
    /// weights into it: reference policies, critics, checkpoint loads).
    /// </summary>
    public abstract CausalLanguageModel CreateSibling();

    /// <summary>
    /// The model's LoRA adapters (<see cref="LoraAdapters.Apply"/>), or null for a model trained in full. With adapters
    /// the base weights are frozen and <see cref="LoraAdapters.Disable"/> gives the base model back.
    /// </summary>
    public LoraAdapters? Lora { get; internal set; }

    /// <summary>
    /// <see cref="CreateSibling"/> with the same LoRA adapters as this model (fresh ones, same options) when it has
    /// some: a model whose state dict has this one's names and shapes (checkpoint loads, copies).
    /// </summary>
    public CausalLanguageModel CreateAdaptedSibling()
    {
        var sibling = CreateSibling();
        if (Lora is null) return sibling;
        try
        {
            LoraAdapters.Apply(sibling, Lora.Options);
            return sibling;
        }
        catch
        {
            sibling.Dispose();
            throw;
        }
    }

    /// <summary>Logits of a full right-padded sequence: tokens [batch, time] int64, mask [batch, time] 0/1 -> [batch, time, vocab].</summary>
    public Tensor Forward(Tensor tokens, Tensor mask) => Logits(Hidden(tokens, mask));

    /// <summary>An empty KV cache with one entry per block.</summary>
    public KvCache CreateCache() => new(Config.Layers);
}
