using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Models.Lora;
using Ippo.MLNet.Tests.Models;
using Ippo.MLNet.Tests.Models.Pretrained;
using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Tests.Lora;

/// <summary>Tiny models of every family, inputs, and adapters moved off their zero start.</summary>
internal static class LoraFixtures
{
    /// <summary>One model per architecture: the built-in GPT, Llama (untied), Qwen2 (q/k/v bias, tied), GPT-2 (untied).</summary>
    public static readonly string[] Families = { "ippo-gpt", "llama", "qwen2", "gpt2" };

    public static CausalLanguageModel Model(string family, long seed = 5)
    {
        CausalLanguageModel model = family switch
        {
            "ippo-gpt" => TinyModels.Model(seed),
            "llama" => TinyFamilies.Model("llama-untied", seed),
            "qwen2" => TinyFamilies.Model("qwen2-bias-tied", seed),
            "gpt2" => TinyFamilies.Model("gpt2-untied", seed),
            _ => throw new ArgumentOutOfRangeException(nameof(family), family, "unknown family"),
        };
        return model;
    }

    /// <summary>Two right-padded rows of token ids below every family's vocabulary: tokens, mask [2, 6].</summary>
    public static (Tensor Tokens, Tensor Mask) Batch()
    {
        var tokens = tensor(new long[,] { { 1, 5, 9, 3, 7, 11 }, { 1, 4, 6, 8, 0, 0 } });
        var mask = tensor(new float[,] { { 1, 1, 1, 1, 1, 1 }, { 1, 1, 1, 1, 0, 0 } });
        return (tokens, mask);
    }

    /// <summary>Sets every lora_B to normal(0, std) from <paramref name="seed"/>, as if training had moved it.</summary>
    public static void PerturbAdapters(CausalLanguageModel model, long seed = 11, double std = 0.2)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator((ulong)seed);
        using var _ = no_grad();
        foreach (var (name, p) in LoraAdapters.AdapterParameters(model))
            if (name.EndsWith(".lora_B.weight", StringComparison.Ordinal))
                p.copy_(randn(p.shape, dtype: ScalarType.Float64, generator: generator) * std);
    }

    public static Tensor Logits(CausalLanguageModel model)
    {
        var (tokens, mask) = Batch();
        using var _ = no_grad();
        model.eval();
        return model.Forward(tokens, mask);
    }

    /// <summary>Distinct storages behind every parameter of the modules: one per tensor that owns memory.</summary>
    public static int DistinctStorages(params nn.Module[] modules) =>
        modules.SelectMany(m => m.parameters()).Select(p => p.dtype == ScalarType.Float64 ? p.storage<double>().data_ptr() : p.storage<float>().data_ptr()).Distinct().Count();

    /// <summary>Bit equality of two tensors of one shape.</summary>
    public static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.equal(b).all().item<bool>();
}
