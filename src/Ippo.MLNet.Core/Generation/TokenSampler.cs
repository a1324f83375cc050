using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Generation;

/// <summary>Picks the next token from logits: greedy, temperature, top-k and top-p.</summary>
public static class TokenSampler
{
    /// <summary>
    /// logits [batch, vocab] -> (tokens [batch] int64, logProbs [batch]). The log-prob is that of the chosen token
    /// under softmax(logits / temperature) over the whole vocabulary (temperature 1 when greedy), which is what a
    /// later forward pass recomputes; top-k, top-p and <paramref name="drawableVocabSize"/> (ids at or above it get
    /// -inf; 0 means no limit) only restrict which tokens can be drawn.
    /// </summary>
    public static (Tensor Tokens, Tensor LogProbs) Sample(Tensor logits, double temperature, int topK, double topP, Generator? generator, int drawableVocabSize = 0)
    {
        using var scope = NewDisposeScope();
        var scaled = temperature > 0 ? logits / temperature : logits;
        var logProbs = nn.functional.log_softmax(scaled, dim: -1);
        var drawable = LimitVocabulary(scaled, drawableVocabSize);
        Tensor tokens;
        if (temperature == 0)
        {
            tokens = drawable.argmax(-1);
        }
        else
        {
            var filtered = Filter(drawable, topK, topP);
            var probs = nn.functional.softmax(filtered, dim: -1);
            tokens = multinomial(probs, 1, generator: generator).squeeze(-1);
        }
        var chosen = logProbs.gather(-1, tokens.unsqueeze(-1)).squeeze(-1);
        return (tokens.MoveToOuterDisposeScope(), chosen.MoveToOuterDisposeScope());
    }

    /// <summary>Sets the logits of ids at or above <paramref name="drawableVocabSize"/> to -inf (0 or the full size: unchanged). [batch, vocab] -> same shape.</summary>
    public static Tensor LimitVocabulary(Tensor scaled, int drawableVocabSize)
    {
        long vocab = scaled.shape[^1];
        if (drawableVocabSize <= 0 || drawableVocabSize >= vocab) return scaled;
        var ids = arange(vocab, dtype: ScalarType.Int64, device: scaled.device);
        return scaled.masked_fill(ids.ge(drawableVocabSize), double.NegativeInfinity);
    }

    /// <summary>Sets logits outside the top-k and the top-p nucleus to -inf. scaled [batch, vocab] -> same shape.</summary>
    public static Tensor Filter(Tensor scaled, int topK, double topP)
    {
        using var scope = NewDisposeScope();
        var result = scaled;
        long vocab = scaled.shape[^1];
        if (topK > 0 && topK < vocab)
        {
            var kth = result.topk(topK, dim: -1).values.narrow(-1, topK - 1, 1);
            result = result.masked_fill(result.lt(kth), double.NegativeInfinity);
        }
        if (topP < 1.0)
        {
            var (sorted, order) = result.sort(dim: -1, descending: true);
            var probs = nn.functional.softmax(sorted, dim: -1);
            var massBefore = probs.cumsum(-1) - probs;
            var dropSorted = massBefore.gt(topP);
            var drop = zeros_like(dropSorted).scatter(-1, order, dropSorted);
            result = result.masked_fill(drop, double.NegativeInfinity);
        }
        return result.alias().MoveToOuterDisposeScope();
    }
}
