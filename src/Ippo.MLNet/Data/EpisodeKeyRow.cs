namespace Ippo.MLNet;

/// <summary>The episode columns the influence filter reads (names set by its options).</summary>
public sealed class EpisodeKeyRow
{
    /// <summary>The prompt text.</summary>
    public string Prompt { get; set; } = "";

    /// <summary>The sampled completion text.</summary>
    public string Completion { get; set; } = "";

    /// <summary>The episode's advantage (applied to each of its tokens).</summary>
    public float Advantage { get; set; }
}
