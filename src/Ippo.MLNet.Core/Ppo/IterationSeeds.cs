namespace Ippo.MLNet.Core.Ppo;

/// <summary>
/// Seeds derived from (run seed, iteration, stream): every random draw of an iteration comes from generators seeded
/// here at its start, so the RNG state of a run is fully given by its seed and the iteration it is at. Resuming from a
/// checkpoint therefore needs only the iteration number to draw exactly what the uninterrupted run would have drawn.
/// </summary>
public static class IterationSeeds
{
    /// <summary>Prompt sampling and minibatch shuffling.</summary>
    public const int Trainer = 1;

    /// <summary>Token sampling during the rollout.</summary>
    public const int Sampling = 2;

    /// <summary>Dropout (torch's global generator, reseeded only when the model has dropout).</summary>
    public const int Dropout = 3;

    /// <summary>The episode filter's own draws (the random-drop control).</summary>
    public const int Filter = 4;

    /// <summary>A 31-bit seed for <paramref name="stream"/> of 1-based <paramref name="iteration"/> of a run seeded <paramref name="seed"/>.</summary>
    public static int For(int seed, int iteration, int stream)
    {
        ulong x = unchecked((ulong)(uint)seed * 0x9E3779B97F4A7C15UL ^ (ulong)(uint)iteration * 0xBF58476D1CE4E5B9UL ^ (ulong)(uint)stream * 0x94D049BB133111EBUL);
        // SplitMix64 finaliser: neighbouring (seed, iteration, stream) triples give unrelated seeds.
        x = unchecked((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL);
        x = unchecked((x ^ (x >> 27)) * 0x94D049BB133111EBUL);
        x ^= x >> 31;
        return (int)(x & 0x7FFF_FFFF);
    }
}
