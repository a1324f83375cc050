using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Models;

/// <summary>
/// A GPT-style causal language model (nanoGPT layout): <c>transformer</c> (<see cref="GptTrunk"/>) and an LM head,
/// tied to the token embedding unless <see cref="GptConfig.TieEmbeddings"/> is false (then <c>lm_head.weight</c>).
/// </summary>
public sealed class GptLanguageModel : CausalLanguageModel
{
#pragma warning disable IDE1006 // state-dict names follow nanoGPT
    private readonly GptTrunk transformer;
    private readonly Linear? lm_head;
#pragma warning restore IDE1006

    /// <summary>Creates the model for <paramref name="config"/>, initialised from <see cref="GptConfig.InitSeed"/>.</summary>
    public GptLanguageModel(GptConfig config) : base(nameof(GptLanguageModel))
    {
        transformer = new GptTrunk(config);
        if (!config.TieEmbeddings) lm_head = nn.Linear(config.Width, config.VocabSize, hasBias: false);
        RegisterComponents();
        ModelInit.Apply(this, config);
    }

    /// <summary>The shape this model was built with.</summary>
    public GptConfig GptConfig => transformer.Config;

    /// <inheritdoc />
    public override string? TiedHeadParameterName => GptConfig.TieEmbeddings ? "transformer.wte.weight" : null;

    /// <summary>The transformer body.</summary>
    public GptTrunk Trunk => transformer;

    /// <inheritdoc />
    public override ICausalLMConfig Config => transformer.Config;

    /// <inheritdoc />
    public override Tensor Hidden(Tensor tokens, Tensor mask, KvCache? cache = null) => transformer.Forward(tokens, mask, cache);

    /// <inheritdoc />
    public override Tensor Logits(Tensor hidden) =>
        lm_head is null ? nn.functional.linear(hidden, transformer.TokenEmbedding) : lm_head.call(hidden);

    /// <inheritdoc />
    public override CausalLanguageModel CreateSibling() => new GptLanguageModel(GptConfig);
}
