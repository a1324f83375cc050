using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Models;

/// <summary>
/// One architecture family behind <see cref="CausalLanguageModel"/>, registered in <see cref="ModelRegistry"/> by the
/// Hugging Face <c>model_type</c> values it serves. Adding an architecture is one folder under Models/ and one
/// <see cref="ModelRegistry.Register"/> call.
/// </summary>
public interface ICausalLMArchitecture
{
    /// <summary>The <c>model_type</c> values this family reads ("llama", "mistral", ...).</summary>
    IReadOnlyList<string> ModelTypes { get; }

    /// <summary>Reads a Hugging Face <c>config.json</c>; errors name the field and its allowed values.</summary>
    ICausalLMConfig ReadConfig(JsonObject config);

    /// <summary>Writes <paramref name="config"/> as a Hugging Face <c>config.json</c> (keeping the fields it was read with).</summary>
    JsonObject WriteConfig(ICausalLMConfig config);

    /// <summary>Builds a freshly initialised model for <paramref name="config"/> on the CPU.</summary>
    CausalLanguageModel Create(ICausalLMConfig config);

    /// <summary>
    /// Maps tensors as stored in a Hugging Face checkpoint to this implementation's state dict (renames, legacy keys
    /// dropped, layouts such as GPT-2's Conv1D transposed). Returns new or the same tensors; the caller disposes what
    /// it passed in.
    /// </summary>
    Dictionary<string, Tensor> FromHuggingFace(IReadOnlyDictionary<string, Tensor> stored, ICausalLMConfig config);

    /// <summary>The inverse of <see cref="FromHuggingFace"/>: the state dict as Hugging Face stores it.</summary>
    Dictionary<string, Tensor> ToHuggingFace(IReadOnlyDictionary<string, Tensor> state, ICausalLMConfig config);
}
