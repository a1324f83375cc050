namespace Ippo.MLNet.Core.Ppo;

/// <summary>Holds the KL coefficient beta and updates it after each iteration.</summary>
public interface IKlController
{
    /// <summary>The current beta.</summary>
    double Value { get; }

    /// <summary>Updates beta from the measured KL of an iteration over <paramref name="steps"/> episodes.</summary>
    void Update(double currentKl, int steps);

    /// <summary>Sets beta to a value saved in a checkpoint.</summary>
    void Restore(double value);
}
