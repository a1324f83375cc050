using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Influence;

/// <summary>
/// One use of one parameter in a forward pass, holding what is needed to rebuild each episode's gradient of that
/// parameter from that use (layer inputs and output gradients), without ever materialising it unless asked.
/// </summary>
internal interface IGradientPiece : IDisposable
{
    /// <summary>State-dict name of the parameter.</summary>
    string Parameter { get; }

    /// <summary>Element count of the parameter.</summary>
    long ParameterSize { get; }

    /// <summary>Per-episode dot products with a same-shaped tensor <paramref name="g"/>: [batch].</summary>
    Tensor Dot(Tensor g);

    /// <summary>Per-episode gradients of rows start..start+length: [length, ...parameter shape].</summary>
    Tensor Materialize(long start, long length);

    /// <summary>sum_k c_k * (gradient of episode rows[k]) for row indices and coefficients [count]: [...parameter shape].</summary>
    Tensor Assemble(Tensor rows, Tensor coefficients);
}
