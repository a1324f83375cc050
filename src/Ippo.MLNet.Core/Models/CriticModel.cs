using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Models;

/// <summary>
/// A separate critic for PPO: its own <c>transformer</c> body and a <c>value_head</c>. Usually initialised from
/// the SFT policy's body (<see cref="CopyTrunkFrom"/>) so it starts from features that already read the task.
/// The alternative, a value head on the policy's own body, is <see cref="ValueHead"/> used directly.
/// </summary>
public sealed class CriticModel : nn.Module
{
#pragma warning disable IDE1006 // state-dict names
    private readonly GptTrunk transformer;
    private readonly ValueHead value_head;
#pragma warning restore IDE1006

    /// <summary>Creates a critic for <paramref name="config"/>, initialised from <see cref="GptConfig.InitSeed"/>.</summary>
    public CriticModel(GptConfig config) : base(nameof(CriticModel))
    {
        transformer = new GptTrunk(config);
        value_head = new ValueHead(config);
        RegisterComponents();
        ModelInit.Apply(transformer, config);
    }

    /// <summary>The shape this critic was built with.</summary>
    public GptConfig Config => transformer.Config;

    /// <summary>Values of every position: tokens, mask [batch, time] -> [batch, time].</summary>
    public Tensor Forward(Tensor tokens, Tensor mask) => value_head.call(transformer.Forward(tokens, mask));

    /// <summary>Copies the body weights of <paramref name="policy"/> (same config required) into this critic.</summary>
    public void CopyTrunkFrom(GptLanguageModel policy)
    {
        if (policy.GptConfig with { TieEmbeddings = Config.TieEmbeddings, InitSeed = Config.InitSeed } != Config)
            throw new ArgumentException($"The policy's config {policy.Config} does not match the critic's {Config}.", nameof(policy));
        using var _ = no_grad();
        var source = policy.Trunk.state_dict();
        foreach (var (name, p) in transformer.named_parameters()) p.copy_(source[name]);
    }
}
