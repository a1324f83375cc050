using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Influence;

/// <summary>
/// A vector parameter whose episode gradient is a plain sum over tokens of a per-token vector v [batch, tokens, d]:
/// a bias (v = delta), a LayerNorm gain (v = delta * normalised input) or shift (v = delta).
/// </summary>
internal sealed class SummedPiece(string parameter, Tensor perToken) : IGradientPiece
{
    public string Parameter { get; } = parameter;

    public long ParameterSize => perToken.shape[2];

    public Tensor Dot(Tensor g)
    {
        using var scope = NewDisposeScope();
        return perToken.sum(dim: 1).matmul(g.to(perToken.dtype)).MoveToOuterDisposeScope();
    }

    public Tensor Materialize(long start, long length) => perToken.narrow(0, start, length).sum(dim: 1);

    public Tensor Assemble(Tensor rows, Tensor coefficients)
    {
        using var scope = NewDisposeScope();
        return (perToken.index_select(0, rows).sum(dim: 1) * coefficients.to(perToken.dtype).unsqueeze(1)).sum(dim: 0).MoveToOuterDisposeScope();
    }

    public void Dispose() => perToken.Dispose();
}
