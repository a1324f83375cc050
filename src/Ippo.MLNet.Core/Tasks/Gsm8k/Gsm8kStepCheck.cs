namespace Ippo.MLNet.Core.Tasks.Gsm8k;

/// <summary>What <see cref="Gsm8kStepChecker.Check"/> found.</summary>
/// <param name="Annotations">How many calculator annotations the text holds.</param>
/// <param name="Verified">How many of them evaluate to their written result.</param>
/// <param name="FirstFailure">The first annotation that does not, with why; null when all verify.</param>
public sealed record Gsm8kStepCheck(int Annotations, int Verified, string? FirstFailure)
{
    /// <summary>True when every annotation verifies.</summary>
    public bool AllVerified => Verified == Annotations;
}
