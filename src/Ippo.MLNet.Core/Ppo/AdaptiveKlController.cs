namespace Ippo.MLNet.Core.Ppo;

/// <summary>
/// Ziegler et al.'s adaptive beta: error = clip(KL / target - 1, -0.2, 0.2); beta *= 1 + error * steps / horizon.
/// Beta grows while the KL is above target and shrinks while below.
/// </summary>
public sealed class AdaptiveKlController : IKlController
{
    private readonly double _target;
    private readonly double _horizon;

    /// <summary>Creates the controller: initial beta in (0, 10], target in (0, 100], horizon >= 1.</summary>
    public AdaptiveKlController(double initialBeta, double target, double horizon)
    {
        if (!(initialBeta > 0 && initialBeta <= 10)) throw new ArgumentOutOfRangeException(nameof(initialBeta), initialBeta, "The initial beta must be in (0, 10].");
        if (!(target > 0 && target <= 100)) throw new ArgumentOutOfRangeException(nameof(target), target, "The KL target must be in (0, 100].");
        if (!(horizon >= 1)) throw new ArgumentOutOfRangeException(nameof(horizon), horizon, "The horizon must be >= 1.");
        Value = initialBeta;
        _target = target;
        _horizon = horizon;
    }

    /// <inheritdoc />
    public double Value { get; private set; }

    /// <inheritdoc />
    public void Update(double currentKl, int steps)
    {
        if (!double.IsFinite(currentKl)) return;
        double error = Math.Clamp(currentKl / _target - 1, -0.2, 0.2);
        Value *= 1 + error * steps / _horizon;
    }

    /// <inheritdoc />
    public void Restore(double value) => Value = value;
}
