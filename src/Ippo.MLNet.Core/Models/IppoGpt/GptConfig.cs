using System.Text.Json.Serialization;

namespace Ippo.MLNet.Core.Models;

/// <summary>
/// Shape of a GPT-style causal language model (nanoGPT layout). The only constructor argument of
/// <see cref="GptLanguageModel"/> and the blocks inside it; the only model code that names it is the built-in GPT and
/// code that builds a fresh one (<see cref="Tasks.Arithmetic.ArithmeticDefaults"/>).
/// </summary>
public sealed record GptConfig : ICausalLMConfig
{
    /// <summary>Number of token ids. Default 32; range [2, 1,000,000].</summary>
    public int VocabSize { get; init; } = 32;

    /// <summary>Maximum sequence length (prompt plus completion). Default 128; range [1, 65,536].</summary>
    public int ContextLength { get; init; } = 128;

    /// <summary>Embedding width (d_model). Default 64; must be a positive multiple of <see cref="Heads"/>.</summary>
    public int Width { get; init; } = 64;

    /// <summary>Number of transformer blocks. Default 2; range [1, 256].</summary>
    public int Layers { get; init; } = 2;

    /// <summary>Attention heads per block. Default 4; range [1, Width], dividing Width.</summary>
    public int Heads { get; init; } = 4;

    /// <summary>Dropout probability on embeddings, attention weights and residual branches. Default 0; range [0, 1).</summary>
    public double Dropout { get; init; }

    /// <summary>When true the LM head reuses the token embedding matrix (no lm_head.weight tensor). Default true.</summary>
    public bool TieEmbeddings { get; init; } = true;

    /// <summary>Seed of the weight initialisation (normal(0, 0.02), nanoGPT-style). Default 0; any value.</summary>
    public long InitSeed { get; init; }

    /// <inheritdoc />
    [JsonIgnore]
    public string ModelType => GptArchitecture.ModelType;

    /// <inheritdoc />
    [JsonIgnore]
    public int HiddenSize => Width;

    /// <inheritdoc />
    [JsonIgnore]
    public IReadOnlyCollection<string> InitializationOnlyFields => new[] { nameof(InitSeed) };

    /// <summary>Width of one attention head.</summary>
    [JsonIgnore]
    public int HeadSize => Width / Heads;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first field out of its range.</summary>
    public GptConfig Validate()
    {
        Check(nameof(VocabSize), VocabSize, 2, 1_000_000);
        Check(nameof(ContextLength), ContextLength, 1, 65_536);
        Check(nameof(Layers), Layers, 1, 256);
        Check(nameof(Width), Width, 1, 65_536);
        Check(nameof(Heads), Heads, 1, Width);
        if (Width % Heads != 0)
            throw new ArgumentOutOfRangeException(nameof(Heads), Heads, $"GptConfig.Width ({Width}) must be a multiple of GptConfig.Heads ({Heads}).");
        if (double.IsNaN(Dropout) || Dropout < 0 || Dropout >= 1)
            throw new ArgumentOutOfRangeException(nameof(Dropout), Dropout, "GptConfig.Dropout must be in [0, 1).");
        return this;
    }

    private static void Check(string name, int value, int min, int max)
    {
        if (value < min || value > max)
            throw new ArgumentOutOfRangeException(name, value, $"GptConfig.{name} must be in [{min}, {max}].");
    }
}
