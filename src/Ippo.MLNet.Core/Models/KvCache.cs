namespace Ippo.MLNet.Core.Models;

/// <summary>Per-layer key/value caches for incremental decoding. Disposing it frees every cached tensor.</summary>
public sealed class KvCache : IDisposable
{
    private readonly LayerKvCache[] _layers;

    /// <summary>Creates an empty cache for a model with <paramref name="layers"/> blocks.</summary>
    public KvCache(int layers) => _layers = Enumerable.Range(0, layers).Select(_ => new LayerKvCache()).ToArray();

    /// <summary>The cache of block <paramref name="layer"/>.</summary>
    public LayerKvCache this[int layer] => _layers[layer];

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var layer in _layers) layer.Dispose();
    }
}
