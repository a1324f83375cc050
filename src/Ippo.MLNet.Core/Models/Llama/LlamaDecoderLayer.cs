using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Models.Llama;

/// <summary>A pre-norm decoder layer: x + self_attn(input_layernorm(x)), then x + mlp(post_attention_layernorm(x)).</summary>
public sealed class LlamaDecoderLayer : nn.Module
{
#pragma warning disable IDE1006 // state-dict names follow Hugging Face
    private readonly RmsNorm input_layernorm;
    private readonly LlamaAttention self_attn;
    private readonly RmsNorm post_attention_layernorm;
    private readonly LlamaMlp mlp;
#pragma warning restore IDE1006

    /// <summary>Creates the layer for <paramref name="config"/>.</summary>
    public LlamaDecoderLayer(LlamaConfig config) : base(nameof(LlamaDecoderLayer))
    {
        input_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps);
        self_attn = new LlamaAttention(config);
        post_attention_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps);
        mlp = new LlamaMlp(config);
        RegisterComponents();
    }

    /// <summary>x [batch, time, hidden]; the other arguments as <see cref="LlamaAttention.Forward"/>.</summary>
    public Tensor Forward(Tensor x, Tensor cos, Tensor sin, Tensor allowed, LayerKvCache? cache)
    {
        x = x + self_attn.Forward(input_layernorm.call(x), cos, sin, allowed, cache);
        return x + mlp.call(post_attention_layernorm.call(x));
    }
}
