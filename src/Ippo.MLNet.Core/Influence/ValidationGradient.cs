using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Influence;

/// <summary>
/// g_val: the gradient of the SFT loss (token-mean NLL of the gold completions) over a validation batch, for every
/// trainable parameter of the policy, keyed by state-dict name. Owns its tensors.
/// </summary>
public sealed class ValidationGradient : IDisposable
{
    private readonly Dictionary<string, Tensor> _byParameter;

    private ValidationGradient(Dictionary<string, Tensor> byParameter)
    {
        _byParameter = byParameter;
        double squares = 0;
        using var scope = NewDisposeScope();
        foreach (var g in byParameter.Values) squares += g.to(ScalarType.Float64).square().sum().ToDouble();
        Norm = Math.Sqrt(squares);
    }

    /// <summary>The gradient of each trainable parameter (same shape as the parameter).</summary>
    public IReadOnlyDictionary<string, Tensor> ByParameter => _byParameter;

    /// <summary>|g_val|, the Euclidean norm over all parameters.</summary>
    public double Norm { get; }

    /// <summary>Computes g_val at the model's current parameters. Parameter .grad fields are left untouched.</summary>
    public static ValidationGradient Compute(GptLanguageModel model, TrainingBatch validation)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(validation);
        return new ValidationGradient(Gradients(model, validation, 1.0));
    }

    /// <summary>
    /// g_val over a whole validation set, <paramref name="batchSize"/> traces at a time: each chunk's loss is scaled by
    /// its share of the completion tokens, so the sum is the gradient of the token-mean loss over every trace.
    /// </summary>
    public static ValidationGradient Compute(GptLanguageModel model, IReadOnlyList<TokenizedExample> validation, int padId, int batchSize = 64)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (validation is null || validation.Count == 0) throw new ArgumentException("The validation set is empty: influence needs gold traces to compare episodes against.", nameof(validation));
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batchSize must be >= 1.");
        var device = ModelDevice.Of(model);
        double total = validation.Sum(e => e.Completion.Length);
        Dictionary<string, Tensor>? sum = null;
        for (int start = 0; start < validation.Count; start += batchSize)
        {
            var chunk = validation.Skip(start).Take(batchSize).ToList();
            using var batch = TrainingBatch.Collate(chunk, padId, device);
            var part = Gradients(model, batch, chunk.Sum(e => e.Completion.Length) / total);
            if (sum is null)
            {
                sum = part;
                continue;
            }
            foreach (var (name, g) in part)
            {
                sum[name].add_(g);
                g.Dispose();
            }
        }
        return new ValidationGradient(sum!);
    }

    // Gradient of scale * (token-mean SFT loss of the batch), detached and owned by the caller.
    private static Dictionary<string, Tensor> Gradients(GptLanguageModel model, TrainingBatch batch, double scale)
    {
        var parameters = model.named_parameters().Where(p => p.parameter.requires_grad).ToList();
        var result = new Dictionary<string, Tensor>();
        using var scope = NewDisposeScope();
        var loss = SftLoss.Compute(model, batch) * scale;
        var grads = autograd.grad(new[] { loss }, parameters.Select(p => (Tensor)p.parameter).ToList());
        for (int i = 0; i < parameters.Count; i++)
            result[parameters[i].name] = grads[i].detach().DetachFromDisposeScope();
        return result;
    }

    /// <summary>The gradient of one parameter; throws naming it when absent.</summary>
    public Tensor this[string parameter] => _byParameter.TryGetValue(parameter, out var g)
        ? g
        : throw new KeyNotFoundException($"The validation gradient has no entry for parameter '{parameter}'.");

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var g in _byParameter.Values) g.Dispose();
        _byParameter.Clear();
    }
}
