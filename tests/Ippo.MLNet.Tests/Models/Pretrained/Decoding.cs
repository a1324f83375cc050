using Ippo.MLNet.Core.Models;
using static TorchSharp.torch;

namespace Ippo.MLNet.Tests.Models.Pretrained;

/// <summary>
/// Test-side greedy decoding straight over <see cref="CausalLanguageModel.Hidden"/> and Logits (the library's
/// TextGenerator is being moved to the abstraction on another branch): left-padded prompts, with or without the KV cache.
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
    /// <paramref name="steps"/> greedy tokens per prompt (no stop at EOS), prompts left-padded into one batch. With the
    /// cache each step feeds only the newest token; without it each step reruns the whole sequence.
    /// Returns the new tokens per row and the logits of every step [steps][batch * vocab].
    /// </summary>
    public static (long[][] Tokens, float[][] StepLogits) Greedy(CausalLanguageModel model, IReadOnlyList<long[]> prompts, int steps, bool useCache, long pad = 0)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        model.eval();
        var (tokens, mask) = LeftPad(prompts, pad);
        using var cache = useCache ? model.CreateCache() : null;
        var generated = new List<long[]>();
        var stepLogits = new List<float[]>();
        var input = tokens;
        for (int step = 0; step < steps; step++)
        {
            var hidden = model.Hidden(useCache ? input : tokens, mask, cache);
            var last = model.Logits(hidden.select(1, -1)).to(ScalarType.Float32);
            stepLogits.Add(last.data<float>().ToArray());
            var next = last.argmax(-1).unsqueeze(1);
            generated.Add(next.data<long>().ToArray());
            tokens = cat(new[] { tokens, next }, 1);
            mask = cat(new[] { mask, ones(prompts.Count, 1, dtype: mask.dtype) }, 1);
            input = next;
        }
        var perRow = Enumerable.Range(0, prompts.Count).Select(b => generated.Select(g => g[b]).ToArray()).ToArray();
        return (perRow, stepLogits.ToArray());
    }

    /// <summary>Logits [batch, time, vocab] of a full forward as float32 values.</summary>
    public static float[] Logits(CausalLanguageModel model, Tensor tokens, Tensor mask)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        model.eval();
        return model.Forward(tokens, mask).to(ScalarType.Float32).data<float>().ToArray();
    }
}
