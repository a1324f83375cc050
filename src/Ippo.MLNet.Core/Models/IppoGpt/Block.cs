using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Models;

/// <summary>A pre-norm transformer block: x + attn(ln_1(x)), then x + mlp(ln_2(x)).</summary>
public sealed class Block : nn.Module
{
#pragma warning disable IDE1006 // state-dict names follow nanoGPT
    private readonly LayerNorm ln_1;
    private readonly CausalSelfAttention attn;
    private readonly LayerNorm ln_2;
    private readonly Mlp mlp;
#pragma warning restore IDE1006

    /// <summary>Creates the block for <paramref name="config"/>.</summary>
    public Block(GptConfig config) : base(nameof(Block))
    {
        ln_1 = nn.LayerNorm(config.Width);
        attn = new CausalSelfAttention(config);
        ln_2 = nn.LayerNorm(config.Width);
        mlp = new Mlp(config);
        RegisterComponents();
    }

    /// <summary>x [batch, time, width]; see <see cref="CausalSelfAttention.Forward"/> for the other arguments.</summary>
    public Tensor Forward(Tensor x, Tensor allowed, LayerKvCache? cache)
    {
        x = x + attn.Forward(ln_1.call(x), allowed, cache);
        return x + mlp.call(ln_2.call(x));
    }
}
