using Ippo.MLNet.Core.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ippo.MLNet.Tests.Seam;

/// <summary>
/// A minimal causal LM unlike the built-in GPT: token embedding, one attention-free mixing layer (each position adds
/// tanh(mix(mean of the real embeddings up to it))), a LayerNorm and an untied head. No position embedding; the KV
/// cache holds the embeddings seen so far.
/// </summary>
internal sealed class TinyTestModel : CausalLanguageModel
{
    private readonly TinyTestConfig _config;
#pragma warning disable IDE1006 // Hugging Face-style state-dict names
    private readonly Embedding embed_tokens;
    private readonly Linear mix;
    private readonly LayerNorm norm;
    private readonly Linear lm_head;
#pragma warning restore IDE1006

    public TinyTestModel(TinyTestConfig config) : base(nameof(TinyTestModel))
    {
        _config = config;
        embed_tokens = nn.Embedding(config.VocabSize, config.HiddenSize);
        mix = nn.Linear(config.HiddenSize, config.HiddenSize);
        norm = nn.LayerNorm(config.HiddenSize);
        lm_head = nn.Linear(config.HiddenSize, config.VocabSize, hasBias: false);
        RegisterComponents();
        Initialise(config.InitSeed);
    }

    public override ICausalLMConfig Config => _config;

    public override string? TiedHeadParameterName => null;

    public override Tensor Hidden(Tensor tokens, Tensor mask, KvCache? cache = null)
    {
        var x = embed_tokens.call(tokens);
        var seen = x.unsqueeze(1);
        if (cache is not null) (seen, _) = cache[0].Append(seen, seen);
        // [batch, queries, seen]: the real keys each query may read (always itself).
        var allowed = AttentionMasks.Allowed(mask, tokens.shape[1]).squeeze(1).to(x.dtype);
        var mean = allowed.matmul(seen.squeeze(1)) / allowed.sum(dim: -1, keepdim: true);
        return norm.call(x + mix.call(mean).tanh());
    }

    public override Tensor Logits(Tensor hidden) => lm_head.call(hidden);

    public override CausalLanguageModel CreateSibling() => new TinyTestModel(_config);

    private void Initialise(long seed)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator((ulong)seed);
        using var _ = no_grad();
        foreach (var (name, p) in named_parameters())
        {
            if (name.EndsWith(".bias")) nn.init.zeros_(p);
            else if (name.StartsWith("norm.")) nn.init.ones_(p);
            else p.copy_(randn(p.shape, dtype: p.dtype, generator: generator) * 0.3);
        }
    }
}
