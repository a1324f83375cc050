using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Models;

/// <summary>
/// The transformer body (nanoGPT's <c>transformer</c>): token and position embeddings, the blocks and the
/// final LayerNorm. Shared by the language model and the critic.
/// </summary>
public sealed class GptTrunk : nn.Module
{
#pragma warning disable IDE1006 // state-dict names follow nanoGPT
    private readonly Embedding wte;
    private readonly Embedding wpe;
    private readonly Dropout drop;
    private readonly ModuleList<Block> h;
    private readonly LayerNorm ln_f;
#pragma warning restore IDE1006

    /// <summary>Creates the body for <paramref name="config"/> (validated).</summary>
    public GptTrunk(GptConfig config) : base(nameof(GptTrunk))
    {
        config.Validate();
        Config = config;
        wte = nn.Embedding(config.VocabSize, config.Width);
        wpe = nn.Embedding(config.ContextLength, config.Width);
        drop = nn.Dropout(config.Dropout);
        h = nn.ModuleList(Enumerable.Range(0, config.Layers).Select(_ => new Block(config)).ToArray());
        ln_f = nn.LayerNorm(config.Width);
        RegisterComponents();
    }

    /// <summary>The shape this body was built with.</summary>
    public GptConfig Config { get; }

    /// <summary>The token embedding matrix [vocab, width] (the tied LM head reuses it).</summary>
    public Parameter TokenEmbedding => wte.weight!;

    /// <summary>
    /// tokens [batch, queries] (the last queries of the sequence); mask [batch, seen] with 1 on real tokens,
    /// covering cached and new tokens; cache null for a full forward. Returns hidden states [batch, queries, width].
    /// </summary>
    public Tensor Forward(Tensor tokens, Tensor mask, KvCache? cache = null)
    {
        long queries = tokens.shape[1];
        var positions = AttentionMasks.Positions(mask).narrow(1, mask.shape[1] - queries, queries);
        var allowed = AttentionMasks.Allowed(mask, queries);
        var x = drop.call(wte.call(tokens) + wpe.call(positions));
        for (int i = 0; i < h.Count; i++)
            x = h[i].Forward(x, allowed, cache?[i]);
        return ln_f.call(x);
    }
}
