namespace Ippo.MLNet.Core.Rollouts;

/// <summary>Why a completion ended (the OpenAI completions API's finish_reason).</summary>
public enum RolloutFinishReason
{
    /// <summary>It ended with a stop token, which is its last token ("stop").</summary>
    Stop,

    /// <summary>It ran out of new tokens ("length").</summary>
    Length,
}
