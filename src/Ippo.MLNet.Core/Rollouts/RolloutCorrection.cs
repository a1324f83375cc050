using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Rollouts;

/// <summary>
/// The gap between the engine that sampled and the policy that trains (TRL's vLLM importance-sampling correction,
/// verl's rollout correction), as pure functions over [batch, responseLength] tensors; mask is 1 on response tokens.
/// </summary>
public static class RolloutCorrection
{
    /// <summary>
    /// |trainer - engine| log-prob per real token: its mean and max over the mask (TRL's
    /// sampling/sampling_logp_difference/mean and /max), 0-dim float64 tensors; both 0 when the mask is empty.
    /// </summary>
    public static (Tensor Mean, Tensor Max) LogProbDifference(Tensor trainerLogProbs, Tensor engineLogProbs, Tensor mask)
    {
        using var scope = NewDisposeScope();
        var m = mask.to(ScalarType.Float64);
        var gap = (trainerLogProbs.to(ScalarType.Float64) - engineLogProbs.to(ScalarType.Float64)).abs() * m;
        var count = m.sum();
        var mean = gap.sum() / count.clamp_min(1);
        var max = gap.max(); // padding holds 0 and every gap is >= 0, so the masked max is the max
        return (mean.MoveToOuterDisposeScope(), max.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Truncated importance weights min(exp(trainer - engine), cap) per token [batch, responseLength] float32, 1 on
    /// padding: the factor by which each token's policy-gradient term is multiplied when the engine's sampling
    /// distribution differs from the training policy's. <paramref name="cap"/> &gt;= 1.
    /// </summary>
    public static Tensor TruncatedImportanceWeights(Tensor trainerLogProbs, Tensor engineLogProbs, Tensor mask, double cap)
    {
        if (!(cap >= 1) || double.IsInfinity(cap)) throw new ArgumentOutOfRangeException(nameof(cap), cap, "The importance-sampling cap must be finite and >= 1.");
        using var scope = NewDisposeScope();
        var logRatio = trainerLogProbs.to(ScalarType.Float64) - engineLogProbs.to(ScalarType.Float64);
        var weights = logRatio.clamp_max(Math.Log(cap)).exp();
        var real = mask.to(ScalarType.Bool);
        return weights.where(real, 1.0).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>Min, mean and max of <paramref name="weights"/> over the mask, as doubles (all 1 when the mask is empty).</summary>
    public static (double Min, double Mean, double Max) Summary(Tensor weights, Tensor mask)
    {
        using var scope = NewDisposeScope();
        var real = mask.to(ScalarType.Bool);
        if (!real.any().item<bool>()) return (1, 1, 1);
        var values = weights.to(ScalarType.Float64).masked_select(real);
        return (values.min().item<double>(), values.mean().item<double>(), values.max().item<double>());
    }
}
