using Ippo.MLNet.Core.Ppo;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Algorithms;

/// <summary>Critic-free advantages that need no groups (verl's REINFORCE++).</summary>
public static class OutcomeAdvantages
{
    /// <summary>
    /// REINFORCE++: tokenLevelRewards, responseMask [batch, length] -> (Advantages, Returns) [batch, length]. Returns
    /// are discounted reward-to-go, G_t = r_t + gamma G_next over the masked tokens (masked positions neither receive
    /// nor pass a return); advantages are the returns whitened over the mask (<see cref="MaskedStats.MaskedWhiten"/>).
    /// Both are 0 off the mask. gamma in [0, 1].
    /// </summary>
    public static (Tensor Advantages, Tensor Returns) ReinforcePlusPlus(Tensor tokenLevelRewards, Tensor responseMask, double gamma)
    {
        TensorChecks.Rank(tokenLevelRewards, nameof(tokenLevelRewards), 2);
        TensorChecks.SameShape(tokenLevelRewards, nameof(tokenLevelRewards), responseMask, nameof(responseMask));
        if (!(gamma >= 0 && gamma <= 1)) throw new ArgumentOutOfRangeException(nameof(gamma), gamma, $"gamma must be in [0, 1]; got {gamma}.");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var mask = responseMask.to(tokenLevelRewards.dtype);
        long length = tokenLevelRewards.shape[1];
        var next = zeros_like(tokenLevelRewards.select(1, 0));
        var columns = new Tensor[length];
        for (long t = length - 1; t >= 0; t--)
        {
            var m = mask.select(1, t);
            var current = tokenLevelRewards.select(1, t) + gamma * next;
            next = current * m + (1 - m) * next;
            columns[t] = next;
        }
        var returns = stack(columns, 1) * mask;
        var advantages = MaskedStats.MaskedWhiten(returns, responseMask);
        return (advantages.MoveToOuterDisposeScope(), returns.MoveToOuterDisposeScope());
    }
}
