using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Models.Gpt2;

/// <summary>
/// GPT-2's causal self-attention: c_attn projects to q, k, v at once, c_proj back. Stored as Linear layers
/// ([out, in]); the checkpoint's Conv1D layout ([in, out]) is transposed by <see cref="Gpt2Architecture"/>.
/// </summary>
public sealed class Gpt2Attention : nn.Module
{
    private readonly Gpt2Config _config;
    private readonly double _scale;
#pragma warning disable IDE1006 // state-dict names follow Hugging Face
    private readonly Linear c_attn;
    private readonly Linear c_proj;
#pragma warning restore IDE1006

    /// <summary>Creates the layer of block <paramref name="layerIndex"/> (which matters with scale_attn_by_inverse_layer_idx).</summary>
    public Gpt2Attention(Gpt2Config config, int layerIndex) : base(nameof(Gpt2Attention))
    {
        _config = config;
        _scale = (config.ScaleAttnWeights ? 1.0 / Math.Sqrt(config.HeadSize) : 1.0) / (config.ScaleAttnByInverseLayerIdx ? layerIndex + 1 : 1);
        c_attn = nn.Linear(config.NEmbd, 3 * config.NEmbd);
        c_proj = nn.Linear(config.NEmbd, config.NEmbd);
        RegisterComponents();
    }

    /// <summary>
    /// x [batch, time, n_embd]; allowed [batch, 1, time, seen] (true where a query may attend a key); cache, when
    /// given, receives this step's keys and values. Returns [batch, time, n_embd].
    /// </summary>
    public Tensor Forward(Tensor x, Tensor allowed, LayerKvCache? cache)
    {
        long batch = x.shape[0], time = x.shape[1];
        var qkv = c_attn.call(x).split(_config.NEmbd, dim: 2);
        var q = qkv[0].view(batch, time, _config.NHead, _config.HeadSize).transpose(1, 2);
        var k = qkv[1].view(batch, time, _config.NHead, _config.HeadSize).transpose(1, 2);
        var v = qkv[2].view(batch, time, _config.NHead, _config.HeadSize).transpose(1, 2);
        if (cache is not null) (k, v) = cache.Append(k, v);
        // The kernel divides by sqrt(head size) itself: fold any other scale (scale_attn_weights false, scale by inverse
        // layer index) into q. It takes the bool mask as is (true = attend).
        double extra = _scale * Math.Sqrt(_config.HeadSize);
        var y = nn.functional.scaled_dot_product_attention(extra == 1.0 ? q : q * extra, k, v, allowed)
            .transpose(1, 2).reshape(batch, time, _config.NEmbd);
        return c_proj.call(y);
    }
}
