using Ippo.MLNet.Core.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Influence;

/// <summary>
/// Forward hooks on every Linear, LayerNorm and Embedding of a model (hooks fire through module.call) that keep each
/// layer's input and output; <see cref="Backward"/> then takes one backward pass of a summed loss to the layer
/// outputs and turns every use into gradient pieces (NOTES.md §2). The tied LM head is recorded by the caller.
/// </summary>
internal sealed class GradientCapture : IDisposable
{
    private readonly List<Action> _removers = new();
    private readonly List<Use> _uses = new();
    private readonly HashSet<string> _trainable;

    private GradientCapture(CausalLanguageModel model)
    {
        _trainable = model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).ToHashSet();
        foreach (var (name, module) in model.named_modules())
        {
            string prefix = name.Length == 0 ? "" : name + ".";
            switch (module)
            {
                case Linear linear:
                    _removers.Add(Hook(linear, new[] { prefix + "weight", prefix + "bias" }, (x, y) => new Use(y, Owned(x.detach()), UseKind.Linear, prefix + "weight", linear.bias is null ? null : prefix + "bias")));
                    break;
                case LayerNorm norm:
                    _removers.Add(Hook(norm, new[] { prefix + "weight", prefix + "bias" }, (x, y) =>
                    {
                        using var _ = no_grad();
                        var xhat = nn.functional.layer_norm(x.detach(), norm.normalized_shape, null, null, norm.eps);
                        return new Use(y, Owned(xhat), UseKind.LayerNorm, norm.weight is null ? null : prefix + "weight", norm.bias is null ? null : prefix + "bias");
                    }));
                    break;
                case IGainNorm gain when module is nn.Module<Tensor, Tensor> gainModule:
                    var own = gainModule.named_parameters(recurse: false).Select(p => p.name).ToHashSet();
                    _removers.Add(Hook(gainModule, new[] { prefix + "weight", prefix + "bias" }, (x, y) =>
                    {
                        using var _ = no_grad();
                        return new Use(y, Owned(gain.Normalize(x.detach())), UseKind.GainNorm, own.Contains("weight") ? prefix + "weight" : null, own.Contains("bias") ? prefix + "bias" : null);
                    }));
                    break;
                case Embedding embedding:
                    _removers.Add(Hook(embedding, new[] { prefix + "weight" }, (x, y) => new Use(y, Owned(x.alias()), UseKind.Embedding, prefix + "weight", null, embedding.weight!.shape[0])));
                    break;
            }
        }
    }

    private enum UseKind { Linear, LayerNorm, GainNorm, Embedding, OuterProduct }

    private sealed record Use(Tensor Output, Tensor Input, UseKind Kind, string? WeightName, string? BiasName, long Rows = 0);

    /// <summary>Hooks <paramref name="model"/> until disposed.</summary>
    public static GradientCapture Attach(CausalLanguageModel model) => new(model ?? throw new ArgumentNullException(nameof(model)));

    /// <summary>Records a weight used as y = x W^T outside any module (the tied LM head): input x, output y.</summary>
    public void RecordOuterProduct(string parameter, Tensor input, Tensor output)
    {
        if (!output.requires_grad || !_trainable.Contains(parameter)) return;
        output.DetachFromDisposeScope();
        _uses.Add(new Use(output, Owned(input.detach()), UseKind.OuterProduct, parameter, null));
    }

    /// <summary>
    /// One backward pass of <paramref name="summedLoss"/> (a sum of independent per-episode losses) to every recorded
    /// layer output; returns the pieces that rebuild each episode's gradient of every trainable parameter.
    /// Throws <see cref="NotSupportedException"/> naming a trainable parameter no piece covers.
    /// </summary>
    public EpisodeGradients Backward(Tensor summedLoss)
    {
        if (_uses.Count == 0) throw new InvalidOperationException("No layer was recorded: run the forward pass with gradients enabled while the capture is attached.");
        var pieces = new List<IGradientPiece>();
        using (var scope = NewDisposeScope())
        {
            var grads = autograd.grad(new[] { summedLoss }, _uses.Select(u => u.Output).ToList());
            for (int i = 0; i < _uses.Count; i++)
                pieces.AddRange(Pieces(_uses[i], grads[i].detach().DetachFromDisposeScope()));
        }
        var covered = pieces.Select(p => p.Parameter).ToHashSet();
        var missing = _trainable.Where(p => !covered.Contains(p)).ToList();
        if (missing.Count > 0)
        {
            foreach (var p in pieces) p.Dispose();
            throw new NotSupportedException(
                $"Influence scoring cannot attribute the gradient of parameter '{missing[0]}': only Linear, LayerNorm and Embedding modules called through module.call, and a recorded tied head, are supported.");
        }
        return new EpisodeGradients(pieces);
    }

    private IEnumerable<IGradientPiece> Pieces(Use use, Tensor delta)
    {
        bool Trains(string? name) => name is not null && _trainable.Contains(name);
        switch (use.Kind)
        {
            case UseKind.Linear:
            case UseKind.OuterProduct:
                if (Trains(use.BiasName)) yield return new SummedPiece(use.BiasName!, Owned(delta.alias()));
                if (Trains(use.WeightName)) yield return new OuterProductPiece(use.WeightName!, delta, Owned(use.Input.alias()));
                else delta.Dispose();
                break;
            case UseKind.LayerNorm:
                if (Trains(use.BiasName)) yield return new SummedPiece(use.BiasName!, Owned(delta.alias()));
                if (Trains(use.WeightName)) yield return new SummedPiece(use.WeightName!, Owned(delta * use.Input));
                delta.Dispose();
                break;
            case UseKind.GainNorm:
                // Inputs of any rank (q_norm's [batch, time, heads, headDim]): every non-feature position past the batch
                // axis is one more term of the sum, so flatten them into SummedPiece's token axis.
                if (Trains(use.BiasName)) yield return new SummedPiece(use.BiasName!, Owned(delta.flatten(1, -2)));
                if (Trains(use.WeightName)) yield return new SummedPiece(use.WeightName!, Owned((delta * use.Input).flatten(1, -2)));
                delta.Dispose();
                break;
            case UseKind.Embedding:
                yield return new EmbeddingPiece(use.WeightName!, Owned(use.Input.alias()), delta, use.Rows);
                break;
        }
    }

    // A module none of whose parameters is trainable (a LoRA run's frozen base layers) is not recorded.
    private Action Hook(nn.Module<Tensor, Tensor> module, string[] parameters, Func<Tensor, Tensor, Use> record)
    {
        if (!parameters.Any(_trainable.Contains)) return () => { };
        var remover = module.register_forward_hook((m, input, output) =>
        {
            if (output.requires_grad)
            {
                output.DetachFromDisposeScope();
                _uses.Add(record(input, output));
            }
            return output;
        });
        return () => remover.remove();
    }

    private static Tensor Owned(Tensor t) => t.DetachFromDisposeScope();

    public void Dispose()
    {
        foreach (var remove in _removers) remove();
        _removers.Clear();
        foreach (var use in _uses)
        {
            use.Output.Dispose();
            use.Input.Dispose();
        }
        _uses.Clear();
    }
}
