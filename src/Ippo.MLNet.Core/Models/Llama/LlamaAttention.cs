using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Models.Llama;

/// <summary>
/// Causal self-attention with grouped-query heads (each key/value head serves NumAttentionHeads / KeyValueHeads
/// consecutive query heads), rotary positions on q and k, optional q/k/v/o biases and, for Qwen3, a per-head
/// RMSNorm on q and k before the rotation.
/// </summary>
public sealed class LlamaAttention : nn.Module
{
    private readonly LlamaConfig _config;
#pragma warning disable IDE1006 // state-dict names follow Hugging Face
    private readonly Linear q_proj;
    private readonly Linear k_proj;
    private readonly Linear v_proj;
    private readonly Linear o_proj;
    private readonly RmsNorm? q_norm;
    private readonly RmsNorm? k_norm;
#pragma warning restore IDE1006

    /// <summary>Creates the layer for <paramref name="config"/>.</summary>
    public LlamaAttention(LlamaConfig config) : base(nameof(LlamaAttention))
    {
        _config = config;
        int headSize = config.HeadSize;
        q_proj = nn.Linear(config.HiddenSize, config.NumAttentionHeads * headSize, hasBias: config.QkvBias);
        k_proj = nn.Linear(config.HiddenSize, config.KeyValueHeads * headSize, hasBias: config.QkvBias);
        v_proj = nn.Linear(config.HiddenSize, config.KeyValueHeads * headSize, hasBias: config.QkvBias);
        o_proj = nn.Linear(config.NumAttentionHeads * headSize, config.HiddenSize, hasBias: config.OutputBias);
        if (config.QkNorm)
        {
            q_norm = new RmsNorm(headSize, config.RmsNormEps);
            k_norm = new RmsNorm(headSize, config.RmsNormEps);
        }
        RegisterComponents();
    }

    /// <summary>
    /// x [batch, time, hidden]; (cos, sin) [batch, 1, time, headDim] for these tokens' positions; allowed
    /// [batch, 1, time, seen] (true where a query may attend a key); cache, when given, receives this step's rotated
    /// keys and values. Returns [batch, time, hidden].
    /// </summary>
    public Tensor Forward(Tensor x, Tensor cos, Tensor sin, Tensor allowed, LayerKvCache? cache)
    {
        long batch = x.shape[0], time = x.shape[1];
        int heads = _config.NumAttentionHeads, kvHeads = _config.KeyValueHeads, headSize = _config.HeadSize;
        var q = RotaryEmbedding.Apply(SplitHeads(q_proj.call(x), q_norm, heads), cos, sin);
        var k = RotaryEmbedding.Apply(SplitHeads(k_proj.call(x), k_norm, kvHeads), cos, sin);
        var v = SplitHeads(v_proj.call(x), null, kvHeads);
        if (cache is not null) (k, v) = cache.Append(k, v);
        if (heads != kvHeads)
        {
            k = k.repeat_interleave(heads / kvHeads, dim: 1);
            v = v.repeat_interleave(heads / kvHeads, dim: 1);
        }
        // softmax(q k^T / sqrt(headDim) masked to the allowed keys) v; TorchSharp's kernel takes the bool mask as is
        // (true = attend) and matched the explicit masked softmax to 5e-7 in float32.
        var y = nn.functional.scaled_dot_product_attention(q, k, v, allowed).transpose(1, 2).reshape(batch, time, heads * headSize);
        return o_proj.call(y);
    }

    /// <summary>[batch, time, n * headDim] -> [batch, n, time, headDim], normalised per head first when a norm is given.</summary>
    private Tensor SplitHeads(Tensor projected, RmsNorm? norm, int count)
    {
        var perHead = projected.view(projected.shape[0], projected.shape[1], count, _config.HeadSize);
        if (norm is not null) perHead = norm.call(perHead);
        return perHead.transpose(1, 2);
    }
}
