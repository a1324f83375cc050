namespace Ippo.MLNet.Core.Influence;

/// <summary>How an episode gradient and the validation gradient are compared.</summary>
public enum InfluenceNormalization
{
    /// <summary>The plain dot product g_i . g_val (the paper's score; TracIn-style).</summary>
    Dot,

    /// <summary>The cosine g_i . g_val / (|g_i| |g_val|): direction only, in [-1, 1].</summary>
    Cosine,
}
