using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Models.Llama;

/// <summary>
/// A Llama-family causal LM (Llama 2/3, Mistral, Qwen2/2.5, Qwen3, SmolLM) with Hugging Face's state-dict names:
/// <c>model.embed_tokens.weight</c>, <c>model.layers.N.self_attn.q_proj.weight</c>, ..., <c>model.norm.weight</c> and
/// <c>lm_head.weight</c> unless the head is tied to the embedding.
/// </summary>
public sealed class LlamaForCausalLM : CausalLanguageModel
{
#pragma warning disable IDE1006 // state-dict names follow Hugging Face
    private readonly LlamaModel model;
    private readonly Linear? lm_head;
#pragma warning restore IDE1006

    /// <summary>Creates the model for <paramref name="config"/> (validated) with seeded normal(0, initializer_range) weights.</summary>
    public LlamaForCausalLM(LlamaConfig config) : base(nameof(LlamaForCausalLM))
    {
        LlamaConfig = config.Validate();
        model = new LlamaModel(config);
        if (!config.TieWordEmbeddings) lm_head = nn.Linear(config.HiddenSize, config.VocabSize, hasBias: false);
        RegisterComponents();
        PretrainedInit.Apply(this, config.InitializerRange);
    }

    /// <summary>The shape this model was built with.</summary>
    public LlamaConfig LlamaConfig { get; }

    /// <inheritdoc />
    public override ICausalLMConfig Config => LlamaConfig;

    /// <inheritdoc />
    public override string? TiedHeadParameterName => lm_head is null ? "model.embed_tokens.weight" : null;

    /// <inheritdoc />
    public override Tensor Hidden(Tensor tokens, Tensor mask, KvCache? cache = null) => model.Forward(tokens, mask, cache);

    /// <inheritdoc />
    public override Tensor Logits(Tensor hidden) =>
        lm_head is null ? nn.functional.linear(hidden, model.TokenEmbedding) : lm_head.call(hidden);

    /// <inheritdoc />
    public override CausalLanguageModel CreateSibling() => new LlamaForCausalLM(LlamaConfig);
}
