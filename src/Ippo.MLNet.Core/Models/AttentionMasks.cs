using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Models;

/// <summary>Position ids and attention masks for left-padded prompts followed by right-padded completions.</summary>
public static class AttentionMasks
{
    /// <summary>
    /// Position ids from a token mask: the count of real tokens before each position, so a left-padded
    /// prompt starts at position 0. mask [batch, seen] (1 = real token) -> [batch, seen] int64.
    /// </summary>
    public static Tensor Positions(Tensor mask) =>
        (mask.to(ScalarType.Int64).cumsum(1) - 1).clamp_min(0);

    /// <summary>
    /// Which keys each query may attend: earlier or same positions that are real tokens, plus always itself
    /// (so a padding query never sees an all-masked row and softmax stays finite).
    /// keyMask [batch, seen] (1 = real token) -> [batch, 1, queries, seen] bool, for the last
    /// <paramref name="queries"/> positions of the sequence.
    /// </summary>
    public static Tensor Allowed(Tensor keyMask, long queries)
    {
        long seen = keyMask.shape[1];
        var device = keyMask.device;
        var queryIndex = arange(seen - queries, seen, device: device, dtype: ScalarType.Int64).unsqueeze(1);
        var keyIndex = arange(seen, device: device, dtype: ScalarType.Int64).unsqueeze(0);
        var causal = keyIndex.le(queryIndex);
        var self = keyIndex.eq(queryIndex);
        var real = keyMask.to(ScalarType.Bool).unsqueeze(1).unsqueeze(1);
        return causal.unsqueeze(0).unsqueeze(0).logical_and(real).logical_or(self.unsqueeze(0).unsqueeze(0));
    }
}
