using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Models.Gpt2;

/// <summary>
/// GPT-2 with Hugging Face's state-dict names (<c>transformer.wte.weight</c>, <c>transformer.h.N.attn.c_attn.weight</c>,
/// ..., <c>transformer.ln_f.weight</c>); the head is tied to wte unless tie_word_embeddings is false (then lm_head.weight).
/// </summary>
public sealed class Gpt2LMHeadModel : CausalLanguageModel
{
#pragma warning disable IDE1006 // state-dict names follow Hugging Face
    private readonly Gpt2Model transformer;
    private readonly Linear? lm_head;
#pragma warning restore IDE1006

    /// <summary>Creates the model for <paramref name="config"/> (validated) with seeded normal(0, initializer_range) weights.</summary>
    public Gpt2LMHeadModel(Gpt2Config config) : base(nameof(Gpt2LMHeadModel))
    {
        Gpt2Config = config.Validate();
        transformer = new Gpt2Model(config);
        if (!config.TieWordEmbeddings) lm_head = nn.Linear(config.NEmbd, config.VocabSize, hasBias: false);
        RegisterComponents();
        PretrainedInit.Apply(this, config.InitializerRange);
    }

    /// <summary>The shape this model was built with.</summary>
    public Gpt2Config Gpt2Config { get; }

    /// <inheritdoc />
    public override ICausalLMConfig Config => Gpt2Config;

    /// <inheritdoc />
    public override string? TiedHeadParameterName => lm_head is null ? "transformer.wte.weight" : null;

    /// <inheritdoc />
    public override Tensor Hidden(Tensor tokens, Tensor mask, KvCache? cache = null) => transformer.Forward(tokens, mask, cache);

    /// <inheritdoc />
    public override Tensor Logits(Tensor hidden) =>
        lm_head is null ? nn.functional.linear(hidden, transformer.TokenEmbedding) : lm_head.call(hidden);

    /// <inheritdoc />
    public override CausalLanguageModel CreateSibling() => new Gpt2LMHeadModel(Gpt2Config);
}
