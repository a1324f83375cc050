using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Models;

/// <summary>Keys and values of one attention layer for the tokens seen so far: [batch, heads, seen, headSize].</summary>
public sealed class LayerKvCache : IDisposable
{
    /// <summary>Cached keys [batch, heads, seen, headSize], or null before the first step.</summary>
    public Tensor? Keys { get; private set; }

    /// <summary>Cached values [batch, heads, seen, headSize], or null before the first step.</summary>
    public Tensor? Values { get; private set; }

    /// <summary>Appends this step's keys and values and returns the whole cache (owned by the cache).</summary>
    public (Tensor Keys, Tensor Values) Append(Tensor keys, Tensor values)
    {
        var newKeys = Keys is null ? keys.alias() : cat(new[] { Keys, keys }, 2);
        var newValues = Values is null ? values.alias() : cat(new[] { Values, values }, 2);
        Keys?.Dispose();
        Values?.Dispose();
        Keys = newKeys.DetachFromDisposeScope();
        Values = newValues.DetachFromDisposeScope();
        return (Keys, Values);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Keys?.Dispose();
        Values?.Dispose();
        Keys = null;
        Values = null;
    }
}
