using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Models.Gpt2;

/// <summary>A GPT-2 block: x + attn(ln_1(x)), then x + mlp(ln_2(x)).</summary>
public sealed class Gpt2Block : nn.Module
{
#pragma warning disable IDE1006 // state-dict names follow Hugging Face
    private readonly LayerNorm ln_1;
    private readonly Gpt2Attention attn;
    private readonly LayerNorm ln_2;
    private readonly Gpt2Mlp mlp;
#pragma warning restore IDE1006

    /// <summary>Creates block <paramref name="layerIndex"/> for <paramref name="config"/>.</summary>
    public Gpt2Block(Gpt2Config config, int layerIndex) : base(nameof(Gpt2Block))
    {
        ln_1 = nn.LayerNorm(config.NEmbd, config.LayerNormEpsilon);
        attn = new Gpt2Attention(config, layerIndex);
        ln_2 = nn.LayerNorm(config.NEmbd, config.LayerNormEpsilon);
        mlp = new Gpt2Mlp(config);
        RegisterComponents();
    }

    /// <summary>x [batch, time, n_embd]; the other arguments as <see cref="Gpt2Attention.Forward"/>.</summary>
    public Tensor Forward(Tensor x, Tensor allowed, LayerKvCache? cache)
    {
        x = x + attn.Forward(ln_1.call(x), allowed, cache);
        return x + mlp.call(ln_2.call(x));
    }
}
