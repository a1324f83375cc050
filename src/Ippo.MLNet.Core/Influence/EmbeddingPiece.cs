using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Influence;

/// <summary>
/// An embedding table E [rows, width] looked up at ids [batch, tokens]: episode i's gradient puts delta_{i,t}
/// [batch, tokens, width] on row ids_{i,t}, so its dot with G is sum_t delta_{i,t} . G[ids_{i,t}].
/// </summary>
internal sealed class EmbeddingPiece(string parameter, Tensor ids, Tensor outputGrad, long rows) : IGradientPiece
{
    public string Parameter { get; } = parameter;

    public long ParameterSize => rows * outputGrad.shape[2];

    public Tensor Dot(Tensor g)
    {
        using var scope = NewDisposeScope();
        var picked = g.to(outputGrad.dtype).index_select(0, ids.flatten()).view_as(outputGrad);
        return (picked * outputGrad).sum(new long[] { 1, 2 }).MoveToOuterDisposeScope();
    }

    public Tensor Materialize(long start, long length)
    {
        using var scope = NewDisposeScope();
        long width = outputGrad.shape[2];
        var offsets = arange(length, device: ids.device).mul(rows).unsqueeze(1);
        var flatIds = (ids.narrow(0, start, length) + offsets).flatten();
        var table = zeros(length * rows, width, dtype: outputGrad.dtype, device: outputGrad.device);
        table.index_add_(0, flatIds, outputGrad.narrow(0, start, length).flatten(0, 1), 1);
        return table.view(length, rows, width).MoveToOuterDisposeScope();
    }

    public Tensor Assemble(Tensor episodes, Tensor coefficients)
    {
        using var scope = NewDisposeScope();
        var weighted = outputGrad.index_select(0, episodes) * coefficients.to(outputGrad.dtype).view(-1, 1, 1);
        var table = zeros(rows, outputGrad.shape[2], dtype: outputGrad.dtype, device: outputGrad.device);
        table.index_add_(0, ids.index_select(0, episodes).flatten(), weighted.flatten(0, 1), 1);
        return table.MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        ids.Dispose();
        outputGrad.Dispose();
    }
}
