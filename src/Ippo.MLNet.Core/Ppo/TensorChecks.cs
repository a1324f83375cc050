using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Ppo;

/// <summary>Shape checks shared by the PPO math, with messages that name the arguments.</summary>
internal static class TensorChecks
{
    public static void SameShape(Tensor a, string aName, Tensor b, string bName)
    {
        if (!a.shape.SequenceEqual(b.shape))
            throw new ArgumentException($"{aName} has shape [{string.Join(", ", a.shape)}] but {bName} has [{string.Join(", ", b.shape)}]; they must match.", aName);
    }

    public static void Rank(Tensor t, string name, int rank)
    {
        if (t.dim() != rank)
            throw new ArgumentException($"{name} must have {rank} dimensions; it has shape [{string.Join(", ", t.shape)}].", name);
    }

    public static void NonEmptyMask(Tensor mask, string name)
    {
        if (mask.sum().ToDouble() <= 0)
            throw new InvalidOperationException($"{name} is empty (sums to 0): there is no token to average over.");
    }
}
