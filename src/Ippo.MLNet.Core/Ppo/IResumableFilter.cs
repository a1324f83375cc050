using Ippo.MLNet.Core.Models;

namespace Ippo.MLNet.Core.Ppo;

/// <summary>An episode filter with state of its own that a trainer checkpoint must carry for an exact resume.</summary>
public interface IResumableFilter
{
    /// <summary>Writes the filter's state into <paramref name="folder"/> (a checkpoint being written).</summary>
    void WriteState(string folder);

    /// <summary>
    /// Reads the state written by <see cref="WriteState"/> for <paramref name="policy"/>. Throws
    /// <see cref="InvalidDataException"/> naming the file when it is missing or does not fit the policy.
    /// </summary>
    void ReadState(string folder, CausalLanguageModel policy);
}
