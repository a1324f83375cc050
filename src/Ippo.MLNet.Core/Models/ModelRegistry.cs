using System.Collections.Concurrent;

namespace Ippo.MLNet.Core.Models;

/// <summary>The architectures the library can build, by Hugging Face <c>model_type</c> (as transformers' auto classes).</summary>
public static class ModelRegistry
{
    private static readonly ConcurrentDictionary<string, ICausalLMArchitecture> Architectures = new(StringComparer.Ordinal);

    static ModelRegistry()
    {
        Register(new GptArchitecture());
        Register(new Llama.LlamaArchitecture());
        Register(new Gpt2.Gpt2Architecture());
    }

    /// <summary>Makes <paramref name="architecture"/> serve each of its model types (replacing an earlier registration).</summary>
    public static void Register(ICausalLMArchitecture architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        foreach (var type in architecture.ModelTypes) Architectures[type] = architecture;
    }

    /// <summary>Every model_type that can be loaded, sorted.</summary>
    public static IReadOnlyList<string> SupportedModelTypes => Architectures.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();

    /// <summary>The architecture serving <paramref name="modelType"/>; the error lists the supported ones.</summary>
    public static ICausalLMArchitecture Get(string modelType)
    {
        if (modelType is not null && Architectures.TryGetValue(modelType, out var architecture)) return architecture;
        throw new NotSupportedException(
            $"model_type '{modelType}' is not supported; supported: {string.Join(", ", SupportedModelTypes)}. Register an ICausalLMArchitecture with ModelRegistry.Register to add one.");
    }
}
