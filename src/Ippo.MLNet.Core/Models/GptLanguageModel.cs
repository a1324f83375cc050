using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Models;

/// <summary>
/// A GPT-style causal language model (nanoGPT layout): <c>transformer</c> (<see cref="GptTrunk"/>) and an LM head,
/// tied to the token embedding unless <see cref="GptConfig.TieEmbeddings"/> is false (then <c>lm_head.weight</c>).
/// </summary>
public sealed class GptLanguageModel : nn.Module
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
    public GptConfig Config => transformer.Config;

    /// <summary>State-dict name of the token embedding, which is also the LM head when embeddings are tied.</summary>
    public string TiedHeadParameterName => "transformer.wte.weight";

    /// <summary>The transformer body.</summary>
    public GptTrunk Trunk => transformer;

    /// <summary>Hidden states of a full sequence: tokens, mask [batch, time] -> [batch, time, width].</summary>
    public Tensor Hidden(Tensor tokens, Tensor mask) => transformer.Forward(tokens, mask);

    /// <summary>Logits over the vocabulary: hidden [..., width] -> [..., vocab].</summary>
    public Tensor Logits(Tensor hidden) =>
        lm_head is null ? nn.functional.linear(hidden, transformer.TokenEmbedding) : lm_head.call(hidden);

    /// <summary>Logits of a full sequence: tokens, mask [batch, time] -> [batch, time, vocab].</summary>
    public Tensor Forward(Tensor tokens, Tensor mask) => Logits(Hidden(tokens, mask));
}
