using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Ppo;

/// <summary>Computes per-token KL estimates (verl's kl_penalty).</summary>
public static class KlEstimators
{
    /// <summary>
    /// logProbs, refLogProbs [batch, length] -> [batch, length]. For k3 the log-ratio is clamped to [-20, 20] and the
    /// result to [-10, 10], as verl does, so a token the reference finds impossible cannot blow up the reward.
    /// </summary>
    public static Tensor Compute(Tensor logProbs, Tensor refLogProbs, KlEstimator kind)
    {
        TensorChecks.SameShape(logProbs, nameof(logProbs), refLogProbs, nameof(refLogProbs));
        using var scope = NewDisposeScope();
        var diff = logProbs - refLogProbs;
        var result = kind switch
        {
            KlEstimator.K1 => diff,
            KlEstimator.K2 => 0.5 * diff.square(),
            KlEstimator.Abs => diff.abs(),
            KlEstimator.K3 => K3(diff),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown KL estimator."),
        };
        return result.MoveToOuterDisposeScope();
    }

    private static Tensor K3(Tensor diff)
    {
        var refMinusLog = (-diff).clamp(-20.0, 20.0);
        return (refMinusLog.exp() - refMinusLog - 1).clamp(-10.0, 10.0);
    }
}
