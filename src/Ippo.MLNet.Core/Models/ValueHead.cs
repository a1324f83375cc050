using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Models;

/// <summary>A linear map from hidden states to one scalar value per token: [..., width] -> [...].</summary>
public sealed class ValueHead : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // state-dict names follow TRL's value head
    private readonly Linear summary;
#pragma warning restore IDE1006

    /// <summary>Creates a value head for hidden states of <see cref="GptConfig.Width"/>; starts at zero output.</summary>
    public ValueHead(GptConfig config) : base(nameof(ValueHead))
    {
        summary = nn.Linear(config.Width, 1);
        RegisterComponents();
        using var _ = no_grad();
        nn.init.zeros_(summary.weight!);
        nn.init.zeros_(summary.bias!);
    }

    /// <summary>hidden [..., width] -> values [...].</summary>
    public override Tensor forward(Tensor hidden) => summary.call(hidden).squeeze(-1);
}
