using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Models.Gpt2;
using Ippo.MLNet.Core.Models.Llama;
using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Tests.Models.Pretrained;

/// <summary>Tiny random models of every family feature the two fixtures do not cover.</summary>
internal static class TinyFamilies
{
    public const int Vocab = 61;

    public static readonly string[] Names = { "qwen2-bias-tied", "qwen3-qknorm", "llama3-rope-scaling", "mistral-window", "llama-untied", "gpt2-untied" };

    public static ICausalLMConfig Config(string name) => name switch
    {
        "qwen2-bias-tied" => Llama("qwen2") with { TieWordEmbeddings = true },
        "qwen3-qknorm" => Llama("qwen3") with { HeadDim = 12 },
        "llama3-rope-scaling" => Llama("llama") with
        {
            RopeScaling = new LlamaRopeScaling { RopeType = "llama3", Factor = 8, LowFreqFactor = 1, HighFreqFactor = 4, OriginalMaxPositionEmbeddings = 16 },
        },
        "mistral-window" => Llama("mistral") with { SlidingWindow = 4 },
        "llama-untied" => Llama("llama") with { AttentionBias = true, MlpBias = true },
        "gpt2-untied" => new Gpt2Config { VocabSize = Vocab, NPositions = 48, NEmbd = 32, NLayer = 2, NHead = 4, NInner = 48, TieWordEmbeddings = false, BosTokenId = 1, EosTokenIds = new[] { 2 } },
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown tiny family"),
    };

    public static LlamaConfig Llama(string type) => new()
    {
        ModelType = type, VocabSize = Vocab, HiddenSize = 32, IntermediateSize = 40, NumHiddenLayers = 2, NumAttentionHeads = 4,
        NumKeyValueHeads = 2, MaxPositionEmbeddings = 48, RmsNormEps = 1e-5, BosTokenId = 1, EosTokenIds = new[] { 2, 3 },
    };

    /// <summary>A model of <paramref name="name"/> with weights large enough that a wrong layer shows in the logits.</summary>
    public static CausalLanguageModel Model(string name, long seed = 5)
    {
        var config = Config(name);
        var model = ModelRegistry.Get(config.ModelType).Create(config);
        Randomize(model, seed);
        return model;
    }

    /// <summary>Matrices normal(0, 0.16), embeddings normal(0, 0.3), biases normal(0, 0.1), gains 1 + normal(0, 0.1).</summary>
    public static void Randomize(nn.Module model, long seed)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator((ulong)seed);
        using var _ = no_grad();
        foreach (var (name, p) in model.named_parameters())
        {
            var noise = randn(p.shape, dtype: ScalarType.Float64, generator: generator);
            var value = name.EndsWith(".bias") ? noise * 0.1
                : p.dim() == 1 ? 1 + noise * 0.1
                : name.Contains("embed_tokens") || name.Contains("wte") || name.Contains("wpe") ? noise * 0.3
                : noise * 0.16;
            p.copy_(value);
        }
    }
}
