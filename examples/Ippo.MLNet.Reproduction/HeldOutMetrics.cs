namespace Ippo.MLNet.Reproduction;

/// <summary>Names of the held-out checkpoint metrics in iterations.csv (one sample per prompt of the curve subset, temperature 1).</summary>
public static class HeldOutMetrics
{
    /// <summary>Exact-match accuracy.</summary>
    public const string Accuracy = "heldout/accuracy";

    /// <summary>Right answer with every step right.</summary>
    public const string FaithfulAccuracy = "heldout/faithful_accuracy";

    /// <summary>Among right answers, the fraction with a wrong or skipped step.</summary>
    public const string UnfaithfulRate = "heldout/unfaithful_rate";
}
