namespace Ippo.MLNet.Core.Ppo;

/// <summary>A constant beta.</summary>
public sealed class FixedKlController : IKlController
{
    /// <summary>Creates the controller; beta must be in [0, 10].</summary>
    public FixedKlController(double beta)
    {
        if (!(beta >= 0 && beta <= 10)) throw new ArgumentOutOfRangeException(nameof(beta), beta, "beta must be in [0, 10].");
        Value = beta;
    }

    /// <inheritdoc />
    public double Value { get; private set; }

    /// <inheritdoc />
    public void Update(double currentKl, int steps) { }

    /// <inheritdoc />
    public void Restore(double value) => Value = value;
}
