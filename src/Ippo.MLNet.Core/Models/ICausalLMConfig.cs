namespace Ippo.MLNet.Core.Models;

/// <summary>
/// What the training code needs to know of any causal-LM architecture's config. Each architecture has its own config
/// record (the only constructor argument of its modules) that implements this; the registry
/// (<see cref="ModelRegistry"/>) reads and writes it as Hugging Face's <c>config.json</c>.
/// </summary>
public interface ICausalLMConfig
{
    /// <summary>Hugging Face's <c>model_type</c> ("llama", "qwen2", "gpt2", ...; "ippo-gpt" for the built-in GPT).</summary>
    string ModelType { get; }

    /// <summary>Rows of the token embedding (may exceed the tokenizer's size).</summary>
    int VocabSize { get; }

    /// <summary>Longest sequence (prompt plus completion) the model accepts.</summary>
    int ContextLength { get; }

    /// <summary>Width of the hidden states <see cref="CausalLanguageModel.Hidden"/> returns (the value head's input).</summary>
    int HiddenSize { get; }

    /// <summary>Number of transformer blocks (one KV-cache entry each).</summary>
    int Layers { get; }

    /// <summary>Dropout probability in training mode (0 for most pretrained models).</summary>
    double Dropout { get; }

    /// <summary>True when the LM head reuses the token embedding matrix.</summary>
    bool TieEmbeddings { get; }

    /// <summary>
    /// Fields of the written config.json that only choose the initial weights (a seed), not the model's shape: a trainer
    /// checkpoint resumes into a model that differs from the saved config only in these. Default none.
    /// </summary>
    IReadOnlyCollection<string> InitializationOnlyFields => Array.Empty<string>();
}
