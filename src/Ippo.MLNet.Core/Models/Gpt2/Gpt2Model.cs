using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Models.Gpt2;

/// <summary>GPT-2's body (Hugging Face's <c>transformer</c>): wte, learned positions wpe, the blocks h and ln_f.</summary>
public sealed class Gpt2Model : nn.Module
{
#pragma warning disable IDE1006 // state-dict names follow Hugging Face
    private readonly Embedding wte;
    private readonly Embedding wpe;
    private readonly ModuleList<Gpt2Block> h;
    private readonly LayerNorm ln_f;
#pragma warning restore IDE1006

    /// <summary>Creates the body for <paramref name="config"/>.</summary>
    public Gpt2Model(Gpt2Config config) : base(nameof(Gpt2Model))
    {
        wte = nn.Embedding(config.VocabSize, config.NEmbd);
        wpe = nn.Embedding(config.NPositions, config.NEmbd);
        h = nn.ModuleList(Enumerable.Range(0, config.NLayer).Select(i => new Gpt2Block(config, i)).ToArray());
        ln_f = nn.LayerNorm(config.NEmbd, config.LayerNormEpsilon);
        RegisterComponents();
    }

    /// <summary>The token embedding matrix [vocab, n_embd] (the tied LM head reuses it).</summary>
    public Parameter TokenEmbedding => wte.weight!;

    /// <summary>See <see cref="CausalLanguageModel.Hidden"/>: tokens [batch, queries], mask [batch, seen] -> [batch, queries, n_embd].</summary>
    public Tensor Forward(Tensor tokens, Tensor mask, KvCache? cache)
    {
        long queries = tokens.shape[1];
        var positions = AttentionMasks.Positions(mask).narrow(1, mask.shape[1] - queries, queries);
        var allowed = AttentionMasks.Allowed(mask, queries);
        var x = wte.call(tokens) + wpe.call(positions);
        for (int i = 0; i < h.Count; i++)
            x = h[i].Forward(x, allowed, cache?[i]);
        return ln_f.call(x);
    }
}
