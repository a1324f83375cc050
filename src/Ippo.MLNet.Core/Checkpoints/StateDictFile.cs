using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Checkpoints;

/// <summary>Reads and writes a module's weights as safetensors, checking every tensor's name and shape on load.</summary>
public static class StateDictFile
{
    /// <summary>
    /// Writes the module's state dict to <paramref name="path"/> (safetensors): every entry, or those whose name
    /// <paramref name="include"/> accepts.
    /// </summary>
    public static void Save(nn.Module module, string path, Func<string, bool>? include = null)
    {
        var state = module.state_dict().Where(kv => include?.Invoke(kv.Key) ?? true)
            .ToDictionary(kv => kv.Key, kv => kv.Value.detach().cpu().contiguous());
        try
        {
            Safetensors.SaveStateDict(path, state);
        }
        finally
        {
            foreach (var t in state.Values) t.Dispose();
        }
    }

    /// <summary>
    /// Loads <paramref name="path"/> into <paramref name="module"/>. Fails with <see cref="InvalidDataException"/>
    /// naming the tensor when one is missing, unexpected or of another shape or dtype, and naming the file when it is
    /// not a readable safetensors file. The module is left unchanged on any error.
    /// </summary>
    public static void Load(nn.Module module, string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Weights file '{path}' does not exist.", path);
        Dictionary<string, Tensor> loaded;
        try
        {
            loaded = Safetensors.LoadStateDict(path);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"'{path}' is not a readable safetensors file: {e.Message}", e);
        }
        try
        {
            var expected = module.state_dict();
            foreach (var (name, target) in expected)
            {
                if (!loaded.TryGetValue(name, out var source))
                    throw new InvalidDataException($"'{path}' has no tensor '{name}' (expected shape [{string.Join(", ", target.shape)}]).");
                if (!source.shape.SequenceEqual(target.shape))
                    throw new InvalidDataException(
                        $"Tensor '{name}' in '{path}' has shape [{string.Join(", ", source.shape)}]; the model expects [{string.Join(", ", target.shape)}].");
                if (source.dtype != target.dtype)
                    throw new InvalidDataException($"Tensor '{name}' in '{path}' is {source.dtype}; the model expects {target.dtype}.");
            }
            var unexpected = loaded.Keys.Except(expected.Keys).ToList();
            if (unexpected.Count > 0)
                throw new InvalidDataException($"'{path}' has tensors the model does not: {string.Join(", ", unexpected.Take(5).Select(n => $"'{n}'"))}.");
            using var _ = no_grad();
            foreach (var (name, target) in expected) target.copy_(loaded[name]);
        }
        finally
        {
            foreach (var t in loaded.Values) t.Dispose();
        }
    }
}
