using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Models;

/// <summary>
/// A separate critic for PPO on any architecture: its own causal LM (<c>model</c>, read through
/// <see cref="CausalLanguageModel.Hidden"/>; its LM head is unused) and a <c>value_head</c>. State-dict names are the
/// architecture's own names under <c>model.</c> (for the built-in GPT <c>model.transformer.wte.weight</c>, ...) and
/// <c>value_head.summary.weight</c> / <c>value_head.summary.bias</c>. Usually built by <see cref="FromPolicy"/>, so it
/// starts from features that already read the task. The alternative, a value head on the policy's own hidden states,
/// is <see cref="ValueHead"/> used directly.
/// </summary>
public sealed class CriticModel : nn.Module
{
#pragma warning disable IDE1006 // state-dict names
    private readonly CausalLanguageModel model;
    private readonly ValueHead value_head;
#pragma warning restore IDE1006

    /// <summary>
    /// A critic reading <paramref name="model"/>'s hidden states (the critic owns it from now on) through a new,
    /// zero-output value head in the model's dtype and on its device.
    /// </summary>
    public CriticModel(CausalLanguageModel model) : base(nameof(CriticModel))
    {
        this.model = model ?? throw new ArgumentNullException(nameof(model));
        value_head = new ValueHead(model.Config);
        value_head.to(ModelDevice.Of(model), ModelDevice.DtypeOf(model));
        RegisterComponents();
    }

    /// <summary>
    /// A critic whose model is a copy of <paramref name="policy"/> (a sibling with its weights, dtype and device), so the
    /// two read the same features at the start; the policy itself is not shared. A policy with LoRA adapters gets a
    /// critic with its own adapters on the policy's frozen base weights, shared, not copied
    /// (<see cref="Lora.LoraAdapters.ShareBaseWeights"/>): the critic then costs its adapters, its value head and its
    /// activations, not a second model.
    /// </summary>
    public static CriticModel FromPolicy(CausalLanguageModel policy)
    {
        var copy = ModelDevice.CopyOf(policy);
        try
        {
            if (policy.Lora is not null) Lora.LoraAdapters.ShareBaseWeights(copy, policy);
            return new CriticModel(copy);
        }
        catch
        {
            copy.Dispose();
            throw;
        }
    }

    /// <summary>The config of the critic's model (the policy's architecture and shape).</summary>
    public ICausalLMConfig Config => model.Config;

    /// <summary>The critic's own causal LM (its hidden states feed the value head).</summary>
    public CausalLanguageModel Model => model;

    /// <summary>Values of every position: tokens, mask [batch, time] -> [batch, time].</summary>
    public Tensor Forward(Tensor tokens, Tensor mask) => value_head.call(model.Hidden(tokens, mask));
}
