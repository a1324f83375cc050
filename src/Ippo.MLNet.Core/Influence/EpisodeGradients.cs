using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Influence;

/// <summary>
/// Every episode's gradient of every trainable parameter, held implicitly as gradient pieces (layer inputs and output
/// gradients from one backward pass). Scores them against g_val, and can assemble any weighted sum of them (the
/// update's first minibatch gradient) without another backward pass.
/// </summary>
public sealed class EpisodeGradients : IDisposable
{
    private const long MaterializeBudget = 1 << 24;
    private readonly List<IGradientPiece> _pieces;

    internal EpisodeGradients(List<IGradientPiece> pieces) => _pieces = pieces;

    /// <summary>g_i . g_val for every episode [batch], accumulated in float64.</summary>
    public double[] Dot(ValidationGradient validation)
    {
        using var scope = NewDisposeScope();
        Tensor? total = null;
        foreach (var piece in _pieces)
        {
            var d = piece.Dot(validation[piece.Parameter]).to(ScalarType.Float64);
            total = total is null ? d : total + d;
        }
        return total!.cpu().data<double>().ToArray();
    }

    /// <summary>|g_i| for every episode, from per-episode gradients materialised one parameter and a few rows at a time.</summary>
    public double[] Norms(long episodes)
    {
        var squares = new double[episodes];
        foreach (var group in _pieces.GroupBy(p => p.Parameter))
        {
            var parts = group.ToList();
            long chunk = Math.Max(1, MaterializeBudget / Math.Max(1, parts[0].ParameterSize));
            for (long start = 0; start < episodes; start += chunk)
            {
                using var scope = NewDisposeScope();
                long length = Math.Min(chunk, episodes - start);
                Tensor sum = parts[0].Materialize(start, length);
                foreach (var part in parts.Skip(1)) sum = sum + part.Materialize(start, length);
                var perRow = sum.to(ScalarType.Float64).square().flatten(1).sum(dim: 1).cpu().data<double>().ToArray();
                for (long i = 0; i < length; i++) squares[start + i] += perRow[i];
            }
        }
        return squares.Select(Math.Sqrt).ToArray();
    }

    /// <summary>Influence scores [batch] under <paramref name="normalization"/>.</summary>
    public double[] Scores(ValidationGradient validation, InfluenceNormalization normalization, long episodes)
    {
        var dots = Dot(validation);
        if (normalization == InfluenceNormalization.Dot) return dots;
        var norms = Norms(episodes);
        return dots.Select((d, i) => norms[i] * validation.Norm == 0 ? 0 : d / (norms[i] * validation.Norm)).ToArray();
    }

    /// <summary>
    /// sum_k c_k g_{rows[k]} for episode row indices [count] (int64) and coefficients [count], keyed by parameter
    /// name: the gradient of a weighted minibatch loss over those rows, as one backward pass of that loss would give it.
    /// </summary>
    public Dictionary<string, Tensor> Assemble(Tensor rows, Tensor coefficients)
    {
        var result = new Dictionary<string, Tensor>();
        foreach (var piece in _pieces)
        {
            using var scope = NewDisposeScope();
            var part = piece.Assemble(rows, coefficients);
            if (result.TryGetValue(piece.Parameter, out var existing))
            {
                result[piece.Parameter] = (existing + part).DetachFromDisposeScope();
                existing.Dispose();
            }
            else result[piece.Parameter] = part.DetachFromDisposeScope();
        }
        return result;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var p in _pieces) p.Dispose();
        _pieces.Clear();
    }
}
