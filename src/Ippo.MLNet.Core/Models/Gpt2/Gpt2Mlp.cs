using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Models.Gpt2;

/// <summary>GPT-2's feed-forward network: c_proj(gelu(c_fc(x))), GELU in the tanh approximation unless activation_function is "gelu".</summary>
public sealed class Gpt2Mlp : nn.Module<Tensor, Tensor>
{
    private readonly bool _exactGelu;
#pragma warning disable IDE1006 // state-dict names follow Hugging Face
    private readonly Linear c_fc;
    private readonly Linear c_proj;
#pragma warning restore IDE1006

    /// <summary>Creates the layer for <paramref name="config"/>.</summary>
    public Gpt2Mlp(Gpt2Config config) : base(nameof(Gpt2Mlp))
    {
        _exactGelu = config.ActivationFunction == "gelu";
        c_fc = nn.Linear(config.NEmbd, config.InnerSize);
        c_proj = nn.Linear(config.InnerSize, config.NEmbd);
        RegisterComponents();
    }

    /// <summary>x [batch, time, n_embd] -> [batch, time, n_embd].</summary>
    public override Tensor forward(Tensor x)
    {
        var h = c_fc.call(x);
        return c_proj.call(_exactGelu ? nn.functional.gelu(h) : TanhGelu(h));
    }

    /// <summary>gelu_new: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), elementwise.</summary>
    public static Tensor TanhGelu(Tensor x) => 0.5 * x * (1.0 + tanh(Math.Sqrt(2.0 / Math.PI) * (x + 0.044715 * x.pow(3))));
}
