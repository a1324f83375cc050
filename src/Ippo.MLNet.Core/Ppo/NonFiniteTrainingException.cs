namespace Ippo.MLNet.Core.Ppo;

/// <summary>
/// Training stopped because too many iterations in a row had a rollout, loss or gradient that was not finite. The
/// weights are those after the last finite update; no checkpoint was written with non-finite values.
/// </summary>
public sealed class NonFiniteTrainingException : InvalidOperationException
{
    /// <summary>Creates the exception for the run stopped after <paramref name="iteration"/>.</summary>
    public NonFiniteTrainingException(string message, int iteration) : base(message) => Iteration = iteration;

    /// <summary>The iteration at which the run stopped (1-based).</summary>
    public int Iteration { get; }
}
