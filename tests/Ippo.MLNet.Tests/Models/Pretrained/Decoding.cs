using Ippo.MLNet.Core.Generation;
using Ippo.MLNet.Core.Models;
using static TorchSharp.torch;

namespace Ippo.MLNet.Tests.Models.Pretrained;

/// <summary>
/// Test helpers for decoding: left padding, full-forward logits, and greedy continuations through the library's
/// <see cref="TextGenerator"/> (what the fixtures' expected tokens check).
/// </summary>
internal static class Decoding
{
    /// <summary>Left-pads rows with <paramref name="pad"/>: (tokens [batch, longest] int64, mask [batch, longest] float32).</summary>
    public static (Tensor Tokens, Tensor Mask) LeftPad(IReadOnlyList<long[]> rows, long pad)
    {
        int longest = rows.Max(r => r.Length);
        var ids = rows.SelectMany(r => Enumerable.Repeat(pad, longest - r.Length).Concat(r)).ToArray();
        var mask = rows.SelectMany(r => Enumerable.Repeat(0f, longest - r.Length).Concat(Enumerable.Repeat(1f, r.Length))).ToArray();
        return (tensor(ids, new long[] { rows.Count, longest }), tensor(mask, new long[] { rows.Count, longest }));
    }

    /// <summary>
    /// Up to <paramref name="steps"/> greedy tokens per prompt from the library's <see cref="TextGenerator"/>, prompts
    /// left-padded into one batch, with or without its KV cache; a row ends early only on <paramref name="stopId"/> (pick
    /// one the continuation never reaches to compare whole continuations, see <see cref="UnusedId"/>).
    /// Returns the new tokens per row (stop excluded) and the log-probability of each.
    /// </summary>
    public static (long[][] Tokens, float[][] LogProbs) Greedy(CausalLanguageModel model, IReadOnlyList<long[]> prompts, int steps, bool useCache, int stopId = 0)
    {
        using var scope = NewDisposeScope();
        using var generator = new TextGenerator(model, padId: stopId, eosId: stopId);
        using var result = generator.Generate(prompts.Select(p => p.Select(i => (int)i).ToArray()).ToList(),
            new GenerationOptions { Temperature = 0, MaxNewTokens = steps, UseKvCache = useCache });
        var ids = result.CompletionIds();
        var logProbs = result.LogProbs.to(ScalarType.Float32).cpu().data<float>().ToArray();
        long width = result.LogProbs.shape[1];
        return (ids.Select(row => row.Select(i => (long)i).ToArray()).ToArray(),
                ids.Select((row, b) => logProbs.Skip((int)(b * width)).Take(row.Length).ToArray()).ToArray());
    }

    /// <summary>The smallest id below <paramref name="vocab"/> in none of <paramref name="rows"/>: a stop id those continuations never hit.</summary>
    public static int UnusedId(int vocab, params IEnumerable<long>[] rows) =>
        Enumerable.Range(0, vocab).First(id => rows.All(r => !r.Contains(id)));

    /// <summary>Logits [batch, time, vocab] of a full forward as float32 values.</summary>
    public static float[] Logits(CausalLanguageModel model, Tensor tokens, Tensor mask)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        model.eval();
        return model.Forward(tokens, mask).to(ScalarType.Float32).data<float>().ToArray();
    }
}
