using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Models.Llama;

/// <summary>The decoder body (Hugging Face's <c>model</c>): embed_tokens, the layers and the final norm.</summary>
public sealed class LlamaModel : nn.Module
{
    private readonly LlamaConfig _config;
    private readonly RotaryEmbedding _rotary;
#pragma warning disable IDE1006 // state-dict names follow Hugging Face
    private readonly Embedding embed_tokens;
    private readonly ModuleList<LlamaDecoderLayer> layers;
    private readonly RmsNorm norm;
#pragma warning restore IDE1006

    /// <summary>Creates the body for <paramref name="config"/>.</summary>
    public LlamaModel(LlamaConfig config) : base(nameof(LlamaModel))
    {
        _config = config;
        _rotary = new RotaryEmbedding(config);
        embed_tokens = nn.Embedding(config.VocabSize, config.HiddenSize);
        layers = nn.ModuleList(Enumerable.Range(0, config.NumHiddenLayers).Select(_ => new LlamaDecoderLayer(config)).ToArray());
        norm = new RmsNorm(config.HiddenSize, config.RmsNormEps);
        RegisterComponents();
    }

    /// <summary>The token embedding matrix [vocab, hidden] (the tied LM head reuses it).</summary>
    public Parameter TokenEmbedding => embed_tokens.weight!;

    /// <summary>See <see cref="CausalLanguageModel.Hidden"/>: tokens [batch, queries], mask [batch, seen] -> [batch, queries, hidden].</summary>
    public Tensor Forward(Tensor tokens, Tensor mask, KvCache? cache)
    {
        long queries = tokens.shape[1], seen = mask.shape[1];
        var positions = AttentionMasks.Positions(mask).narrow(1, seen - queries, queries);
        var allowed = AttentionMasks.Allowed(mask, queries);
        if (_config.SlidingWindow is { } window && window < seen) allowed = allowed.logical_and(WithinWindow(seen, queries, window, mask.device));
        var x = embed_tokens.call(tokens);
        var (cos, sin) = _rotary.Angles(positions, x.dtype);
        for (int i = 0; i < layers.Count; i++)
            x = layers[i].Forward(x, cos, sin, allowed, cache?[i]);
        return norm.call(x);
    }

    /// <summary>[1, 1, queries, seen]: key index j is within query index i's window when i - window &lt; j (sequence indices, as Hugging Face).</summary>
    private static Tensor WithinWindow(long seen, long queries, int window, Device device)
    {
        var queryIndex = arange(seen - queries, seen, device: device, dtype: ScalarType.Int64).unsqueeze(1);
        var keyIndex = arange(seen, device: device, dtype: ScalarType.Int64).unsqueeze(0);
        return keyIndex.gt(queryIndex - window).unsqueeze(0).unsqueeze(0);
    }
}
