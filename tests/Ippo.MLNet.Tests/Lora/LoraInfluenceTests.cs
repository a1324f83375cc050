using Ippo.MLNet.Core.Influence;
using Ippo.MLNet.Core.Models.Llama;
using Ippo.MLNet.Core.Models.Lora;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Tests.Influence;
using Ippo.MLNet.Tests.Models.Pretrained;
using NUnit.Framework;
using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Tests.Lora;

/// <summary>
/// Fast == naive influence scores on a tiny adapted Llama in float64. The adapters' gradients come out of the same
/// capture as any Linear's: lora_A and lora_B are Linear modules called through module.call, so grad B = sum_t
/// (s g_t)(A x_t)^T and grad A = sum_t (s B^T g_t) x_t^T are outer-product pieces of their own inputs and output gradients.
/// </summary>
public class LoraInfluenceTests
{
    private static readonly EpisodeLossSettings Settings = new(0.2, 0.28, 3.0, LossAggregation.TokenMean);

    [TestCase(false, false)]
    [TestCase(true, false)]
    [TestCase(false, true)]
    public void FastScoresEqualPerEpisodeGradientsInFloat64(bool rsLora, bool allParameters)
    {
        using var scope = NewDisposeScope();
        using var model = new LlamaForCausalLM(TinyFamilies.Llama("llama") with { AttentionBias = true, TieWordEmbeddings = true });
        TinyFamilies.Randomize(model, seed: 17);
        model.to(ScalarType.Float64);
        var lora = LoraAdapters.Apply(model, new LoraOptions { Rank = 4, Alpha = 8, UseRsLora = rsLora, Seed = 2 });
        LoraFixtures.PerturbAdapters(model, seed: 3, std: 0.3);
        using var all = allParameters ? lora.IncludeBaseInGradients() : null;
        var episodes = InfluenceFixtures.Episodes(model, ScalarType.Float64, seed: 5);
        using var validation = InfluenceFixtures.ValidationGradientOf(model);

        var fast = InfluenceScoring.Fast(model, episodes, validation, Settings);
        var naive = InfluenceScoring.Naive(model, episodes, validation, Settings);

        var expectedKeys = allParameters ? model.named_parameters().Select(p => p.name) : LoraAdapters.AdapterParameters(model).Select(p => p.Name);
        Assert.That(validation.ByParameter.Keys, Is.EquivalentTo(expectedKeys));
        Assert.That(naive.Count(s => s > 0), Is.InRange(1, naive.Length - 1), "the fixture has helpful and harmful episodes");
        // Both routes are exact in exact arithmetic; float64 rounding of these sums stays near 1e-15 relative.
        Assert.That(InfluenceFixtures.MaxRelativeError(fast, naive), Is.LessThanOrEqualTo(1e-9));
    }

    [Test]
    public void TheScopeFreezesTheBaseAgain()
    {
        using var model = new LlamaForCausalLM(TinyFamilies.Llama("llama"));
        var lora = LoraAdapters.Apply(model, new LoraOptions { Rank = 2 });
        int adapters = LoraAdapters.AdapterParameters(model).Count;
        using (lora.IncludeBaseInGradients())
            Assert.That(model.parameters().Count(p => p.requires_grad), Is.EqualTo(model.parameters().Count()));
        Assert.That(model.parameters().Count(p => p.requires_grad), Is.EqualTo(adapters));
    }
}
