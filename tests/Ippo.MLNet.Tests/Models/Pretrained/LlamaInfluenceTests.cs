using Ippo.MLNet.Core.Influence;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Models.Llama;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Tests.Influence;
using NUnit.Framework;
using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Tests.Models.Pretrained;

/// <summary>
/// Fast (one backward pass, gradient pieces) == naive (one backward per episode) influence scores on Llama-family
/// models: RMSNorm gains, Qwen3's per-head q_norm/k_norm (inputs [batch, time, heads, headDim]), q/k/v/o biases,
/// grouped-query attention and the tied head all need a piece, else Fast throws naming the parameter.
/// </summary>
public class LlamaInfluenceTests
{
    private static readonly EpisodeLossSettings Settings = new(0.2, 0.28, 3.0, LossAggregation.TokenMean);

    public static IEnumerable<TestCaseData> Models()
    {
        yield return new TestCaseData(TinyFamilies.Llama("llama") with { AttentionBias = true, TieWordEmbeddings = true }).SetName("Llama GQA 4/2, q/k/v/o bias, tied head");
        yield return new TestCaseData(TinyFamilies.Llama("qwen2") with { TieWordEmbeddings = true }).SetName("Qwen2 GQA 4/2, q/k/v bias, tied head");
        yield return new TestCaseData(TinyFamilies.Llama("qwen3") with { HeadDim = 12 }).SetName("Qwen3 q_norm/k_norm, head_dim 12, untied head");
    }

    [TestCaseSource(nameof(Models))]
    public void FastScoresEqualPerEpisodeGradientsInFloat64(LlamaConfig config)
    {
        using var scope = NewDisposeScope();
        using var model = new LlamaForCausalLM(config);
        TinyFamilies.Randomize(model, seed: 17);
        model.to(ScalarType.Float64);
        var episodes = InfluenceFixtures.Episodes(model, ScalarType.Float64, seed: 5);
        using var validation = InfluenceFixtures.ValidationGradientOf(model);

        var fast = InfluenceScoring.Fast(model, episodes, validation, Settings);
        var naive = InfluenceScoring.Naive(model, episodes, validation, Settings);

        Assert.That(naive.Count(s => s > 0), Is.InRange(1, naive.Length - 1), "the fixture has helpful and harmful episodes");
        // Both routes are exact in exact arithmetic; float64 rounding of these sums stays near 1e-15 relative.
        Assert.That(InfluenceFixtures.MaxRelativeError(fast, naive), Is.LessThanOrEqualTo(1e-9));
    }

    [Test]
    public void EveryQwen3ParameterHasAValidationGradientIncludingThePerHeadNorms()
    {
        using var scope = NewDisposeScope();
        using var model = new LlamaForCausalLM(TinyFamilies.Llama("qwen3") with { HeadDim = 12 });
        using var validation = InfluenceFixtures.ValidationGradientOf(model);
        Assert.That(validation.ByParameter.Keys, Is.EquivalentTo(model.named_parameters().Select(p => p.name)));
        Assert.That(validation.ByParameter.Keys, Does.Contain("model.layers.1.self_attn.k_norm.weight"));
    }
}
