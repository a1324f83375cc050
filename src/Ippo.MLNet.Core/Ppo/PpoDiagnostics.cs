using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Ppo;

/// <summary>Numbers that tell whether a PPO run is healthy.</summary>
public static class PpoDiagnostics
{
    /// <summary>
    /// 1 - Var[returns - values] / Var[returns] over the mask (CleanRL's explained variance): 1 is a perfect critic,
    /// 0 no better than a constant, negative worse. NaN when the returns do not vary.
    /// </summary>
    public static double ExplainedVariance(Tensor values, Tensor returns, Tensor mask)
    {
        using var scope = NewDisposeScope();
        double varReturns = MaskedStats.MaskedVariance(returns, mask).ToDouble();
        if (varReturns == 0) return double.NaN;
        return 1 - MaskedStats.MaskedVariance(returns - values, mask).ToDouble() / varReturns;
    }

    /// <summary>Mean tokens per response: mask [batch, length] -> number.</summary>
    public static double MeanResponseLength(Tensor mask)
    {
        using var scope = NewDisposeScope();
        return mask.to(ScalarType.Float64).sum(dim: 1).mean().ToDouble();
    }

    /// <summary>Mean token entropy of the distributions behind <paramref name="logits"/> [batch, length, vocab] -> [batch, length].</summary>
    public static Tensor EntropyFromLogits(Tensor logits)
    {
        using var scope = NewDisposeScope();
        var logProbs = nn.functional.log_softmax(logits, dim: -1);
        return (-(logProbs.exp() * logProbs).sum(dim: -1)).MoveToOuterDisposeScope();
    }
}
