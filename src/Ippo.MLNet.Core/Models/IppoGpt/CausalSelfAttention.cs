using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Models;

/// <summary>Multi-head causal self-attention with a fused QKV projection (nanoGPT's c_attn / c_proj).</summary>
public sealed class CausalSelfAttention : nn.Module
{
    private readonly GptConfig _config;
#pragma warning disable IDE1006 // state-dict names follow nanoGPT
    private readonly Linear c_attn;
    private readonly Linear c_proj;
    private readonly Dropout attn_dropout;
    private readonly Dropout resid_dropout;
#pragma warning restore IDE1006

    /// <summary>Creates the layer for <paramref name="config"/>.</summary>
    public CausalSelfAttention(GptConfig config) : base(nameof(CausalSelfAttention))
    {
        _config = config;
        c_attn = nn.Linear(config.Width, 3 * config.Width);
        c_proj = nn.Linear(config.Width, config.Width);
        attn_dropout = nn.Dropout(config.Dropout);
        resid_dropout = nn.Dropout(config.Dropout);
        RegisterComponents();
    }

    /// <summary>
    /// x [batch, time, width]; allowed [batch, 1, time, seen + time] (true where a query may attend a key);
    /// cache, when given, receives this step's keys and values. Returns [batch, time, width].
    /// </summary>
    public Tensor Forward(Tensor x, Tensor allowed, LayerKvCache? cache)
    {
        long b = x.shape[0], t = x.shape[1];
        var qkv = c_attn.call(x).split(_config.Width, dim: 2);
        var q = qkv[0].view(b, t, _config.Heads, _config.HeadSize).transpose(1, 2);
        var k = qkv[1].view(b, t, _config.Heads, _config.HeadSize).transpose(1, 2);
        var v = qkv[2].view(b, t, _config.Heads, _config.HeadSize).transpose(1, 2);
        if (cache is not null) (k, v) = cache.Append(k, v);

        var scores = q.matmul(k.transpose(-2, -1)) * (1.0 / Math.Sqrt(_config.HeadSize));
        scores = scores.masked_fill(allowed.logical_not(), double.NegativeInfinity);
        var weights = attn_dropout.call(nn.functional.softmax(scores, dim: -1));
        var y = weights.matmul(v).transpose(1, 2).contiguous().view(b, t, _config.Width);
        return resid_dropout.call(c_proj.call(y));
    }
}
