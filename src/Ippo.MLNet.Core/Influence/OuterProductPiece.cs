using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Influence;

/// <summary>
/// A weight used as y = x W^T (linear layers, the tied LM head): episode i's gradient is sum_t delta_{i,t} x_{i,t}^T,
/// with output gradients delta [batch, tokens, out] and inputs x [batch, tokens, in].
/// </summary>
internal sealed class OuterProductPiece(string parameter, Tensor outputGrad, Tensor input) : IGradientPiece
{
    public string Parameter { get; } = parameter;

    public long ParameterSize => outputGrad.shape[2] * input.shape[2];

    public Tensor Dot(Tensor g)
    {
        using var scope = NewDisposeScope();
        long outSize = outputGrad.shape[2], inSize = input.shape[2];
        // Project the cheaper side: both give sum_t delta_t^T G x_t.
        var product = outSize >= inSize ? outputGrad.matmul(g.to(outputGrad.dtype)) * input : input.matmul(g.to(input.dtype).t()) * outputGrad;
        return product.sum(new long[] { 1, 2 }).MoveToOuterDisposeScope();
    }

    public Tensor Materialize(long start, long length) =>
        outputGrad.narrow(0, start, length).transpose(1, 2).bmm(input.narrow(0, start, length));

    public Tensor Assemble(Tensor rows, Tensor coefficients)
    {
        using var scope = NewDisposeScope();
        var weighted = outputGrad.index_select(0, rows) * coefficients.to(outputGrad.dtype).view(-1, 1, 1);
        return weighted.flatten(0, 1).t().matmul(input.index_select(0, rows).flatten(0, 1)).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        outputGrad.Dispose();
        input.Dispose();
    }
}
