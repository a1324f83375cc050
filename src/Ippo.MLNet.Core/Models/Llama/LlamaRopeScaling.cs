namespace Ippo.MLNet.Core.Models.Llama;

/// <summary>
/// config.json's <c>rope_scaling</c>: how the rotary inverse frequencies are rescaled for long contexts.
/// Supported <see cref="RopeType"/> values: "default" (none), "linear" (every frequency divided by the factor) and
/// "llama3" (Llama 3.1's wavelength bands).
/// </summary>
public sealed record LlamaRopeScaling
{
    /// <summary>The rope_type values this implementation applies.</summary>
    public static readonly IReadOnlyList<string> SupportedTypes = new[] { "default", "linear", "llama3" };

    /// <summary><c>rope_type</c> (older configs: <c>type</c>). Default "default"; one of <see cref="SupportedTypes"/>.</summary>
    public string RopeType { get; init; } = "default";

    /// <summary><c>factor</c>: how much longer the context becomes. Default 1; range [1, 1e6].</summary>
    public double Factor { get; init; } = 1;

    /// <summary><c>low_freq_factor</c> (llama3): wavelengths above original/low_freq_factor are divided by the factor. Default 1.</summary>
    public double LowFreqFactor { get; init; } = 1;

    /// <summary><c>high_freq_factor</c> (llama3): wavelengths below original/high_freq_factor are unchanged. Default 4; must exceed LowFreqFactor.</summary>
    public double HighFreqFactor { get; init; } = 4;

    /// <summary><c>original_max_position_embeddings</c> (llama3): the pre-training context. Default 8192; range [1, 1e8].</summary>
    public int OriginalMaxPositionEmbeddings { get; init; } = 8192;
}
