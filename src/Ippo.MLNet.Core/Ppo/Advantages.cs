using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Ppo;

/// <summary>Generalised advantage estimation over a response mask (verl's compute_gae_advantage_return).</summary>
public static class Advantages
{
    /// <summary>
    /// GAE computed backward in time. tokenLevelRewards, values, responseMask [batch, length] -> (advantages, returns)
    /// [batch, length], returns = advantages + values. Masked positions are skipped: they neither receive nor pass on
    /// value or advantage, so what sits there cannot change any unmasked output. Advantages are not whitened here
    /// (see <see cref="MaskedStats.MaskedWhiten"/>); both outputs are zero where the mask is 0.
    /// </summary>
    public static (Tensor Advantages, Tensor Returns) Gae(Tensor tokenLevelRewards, Tensor values, Tensor responseMask, double gamma, double lambda)
    {
        TensorChecks.Rank(tokenLevelRewards, nameof(tokenLevelRewards), 2);
        TensorChecks.SameShape(tokenLevelRewards, nameof(tokenLevelRewards), values, nameof(values));
        TensorChecks.SameShape(tokenLevelRewards, nameof(tokenLevelRewards), responseMask, nameof(responseMask));
        if (!(gamma >= 0 && gamma <= 1)) throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "gamma must be in [0, 1].");
        if (!(lambda >= 0 && lambda <= 1)) throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "lambda must be in [0, 1].");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var mask = responseMask.to(values.dtype);
        long length = values.shape[1];
        var nextValue = zeros_like(values.select(1, 0));
        var lastGae = zeros_like(nextValue);
        var columns = new Tensor[length];
        for (long t = length - 1; t >= 0; t--)
        {
            var m = mask.select(1, t);
            var v = values.select(1, t);
            var delta = tokenLevelRewards.select(1, t) + gamma * nextValue - v;
            var gae = delta + gamma * lambda * lastGae;
            nextValue = v * m + (1 - m) * nextValue;
            lastGae = gae * m + (1 - m) * lastGae;
            columns[t] = lastGae;
        }
        var advantages = stack(columns, 1) * mask;
        var returns = (advantages + values) * mask;
        return (advantages.MoveToOuterDisposeScope(), returns.MoveToOuterDisposeScope());
    }
}
