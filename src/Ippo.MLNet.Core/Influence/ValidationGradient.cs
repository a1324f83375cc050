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
        var parameters = model.named_parameters().Where(p => p.parameter.requires_grad).ToList();
        var result = new Dictionary<string, Tensor>();
        using (var scope = NewDisposeScope())
        {
            var loss = SftLoss.Compute(model, validation);
            var grads = autograd.grad(new[] { loss }, parameters.Select(p => (Tensor)p.parameter).ToList());
            for (int i = 0; i < parameters.Count; i++)
                result[parameters[i].name] = grads[i].detach().MoveToOuterDisposeScope();
        }
        return new ValidationGradient(result);
    }

    /// <summary>Wraps gradients computed elsewhere (tests, custom validation losses); takes ownership.</summary>
    public static ValidationGradient FromTensors(IReadOnlyDictionary<string, Tensor> byParameter) =>
        new(byParameter.ToDictionary(p => p.Key, p => p.Value));

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
