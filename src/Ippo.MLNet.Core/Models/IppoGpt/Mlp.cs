using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Models;

/// <summary>The position-wise feed-forward network of a block: width -> 4*width -> GELU -> width.</summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // state-dict names follow nanoGPT
    private readonly Linear c_fc;
    private readonly GELU gelu;
    private readonly Linear c_proj;
    private readonly Dropout dropout;
#pragma warning restore IDE1006

    /// <summary>Creates the layer for <paramref name="config"/>.</summary>
    public Mlp(GptConfig config) : base(nameof(Mlp))
    {
        c_fc = nn.Linear(config.Width, 4 * config.Width);
        gelu = nn.GELU();
        c_proj = nn.Linear(4 * config.Width, config.Width);
        dropout = nn.Dropout(config.Dropout);
        RegisterComponents();
    }

    /// <summary>x [batch, time, width] -> [batch, time, width].</summary>
    public override Tensor forward(Tensor x) => dropout.call(c_proj.call(gelu.call(c_fc.call(x))));
}
