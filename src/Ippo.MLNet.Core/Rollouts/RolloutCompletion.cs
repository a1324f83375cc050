namespace Ippo.MLNet.Core.Rollouts;

/// <summary>
/// One sampled completion: <paramref name="TokenIds"/> (the stop token included when <paramref name="FinishReason"/>
/// is Stop), the engine's log-prob of each of them <paramref name="LogProbs"/> (same length; a diagnostic only) and why it ended.
/// </summary>
public sealed record RolloutCompletion(int[] TokenIds, float[] LogProbs, RolloutFinishReason FinishReason)
{
    /// <summary>True when the completion ended with a stop token.</summary>
    public bool EndedWithStop => FinishReason == RolloutFinishReason.Stop;
}
