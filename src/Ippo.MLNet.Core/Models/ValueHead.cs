using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Models;

/// <summary>
/// A linear map from hidden states to one scalar value per token: [..., hidden] -> [...]. Its state-dict names are
/// TRL's value head: <c>summary.weight</c> [1, hidden] and <c>summary.bias</c> [1].
/// </summary>
public sealed class ValueHead : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // state-dict names follow TRL's value head
    private readonly Linear summary;
#pragma warning restore IDE1006

    /// <summary>
    /// Creates a value head for hidden states of <see cref="ICausalLMConfig.HiddenSize"/> (any architecture); it starts
    /// at zero output, on the CPU in float32.
    /// </summary>
    public ValueHead(ICausalLMConfig config) : base(nameof(ValueHead))
    {
        ArgumentNullException.ThrowIfNull(config);
        summary = nn.Linear(config.HiddenSize, 1);
        RegisterComponents();
        using var _ = no_grad();
        nn.init.zeros_(summary.weight!);
        nn.init.zeros_(summary.bias!);
    }

    /// <summary>hidden [..., hidden] -> values [...].</summary>
    public override Tensor forward(Tensor hidden) => summary.call(hidden).squeeze(-1);
}
