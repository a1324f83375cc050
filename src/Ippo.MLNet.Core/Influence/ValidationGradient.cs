using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Training;
using TorchSharp;
using TorchSharp.PyBridge;
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
    public static ValidationGradient Compute(CausalLanguageModel model, TrainingBatch validation)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(validation);
        return new ValidationGradient(Gradients(model, validation, 1.0));
    }

    /// <summary>
    /// g_val over a whole validation set, <paramref name="batchSize"/> traces at a time: each chunk's loss is scaled by
    /// its share of the completion tokens, so the sum is the gradient of the token-mean loss over every trace.
    /// </summary>
    public static ValidationGradient Compute(CausalLanguageModel model, IReadOnlyList<TokenizedExample> validation, int padId, int batchSize = 64)
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
    private static Dictionary<string, Tensor> Gradients(CausalLanguageModel model, TrainingBatch batch, double scale)
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

    /// <summary>Writes the gradient to <paramref name="path"/> (safetensors, keyed by parameter name).</summary>
    public void Save(string path)
    {
        var cpu = _byParameter.ToDictionary(kv => kv.Key, kv => kv.Value.detach().cpu().contiguous());
        try
        {
            Safetensors.SaveStateDict(path, cpu);
        }
        finally
        {
            foreach (var t in cpu.Values) t.Dispose();
        }
    }

    /// <summary>
    /// Reads a gradient written by <see cref="Save"/> for <paramref name="model"/>'s trainable parameters, onto its
    /// device. Throws <see cref="InvalidDataException"/> naming the file and the parameter that does not fit.
    /// </summary>
    public static ValidationGradient Load(string path, CausalLanguageModel model)
    {
        if (!File.Exists(path)) throw new InvalidDataException($"The validation gradient file '{path}' is missing.");
        Dictionary<string, Tensor> loaded;
        try
        {
            loaded = Safetensors.LoadStateDict(path);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"'{path}' is not a readable safetensors file: {e.Message}", e);
        }
        try
        {
            var device = ModelDevice.Of(model);
            var expected = model.named_parameters().Where(p => p.parameter.requires_grad).ToList();
            if (loaded.Count != expected.Count)
                throw new InvalidDataException($"'{path}' holds {loaded.Count} gradients; the model has {expected.Count} trainable parameters.");
            var result = new Dictionary<string, Tensor>();
            foreach (var (name, parameter) in expected)
            {
                if (!loaded.TryGetValue(name, out var g) || !g.shape.SequenceEqual(parameter.shape))
                    throw new InvalidDataException($"'{path}' has no gradient of shape [{string.Join(", ", parameter.shape)}] for parameter '{name}'.");
                result[name] = g.to(parameter.dtype, device).DetachFromDisposeScope();
            }
            return new ValidationGradient(result);
        }
        finally
        {
            foreach (var t in loaded.Values) t.Dispose();
        }
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
