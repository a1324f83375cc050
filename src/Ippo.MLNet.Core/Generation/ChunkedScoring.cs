using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Generation;

/// <summary>
/// Row-chunked scoring of a batch: a no-grad forward over a whole rollout buffer keeps every intermediate of every
/// layer until its dispose scope ends, so scoring chunks of rows, each in its own scope, bounds that peak by the
/// chunk instead of the buffer. Rows are independent in a causal LM's forward, and every chunk keeps the batch's
/// padded widths, so a chunk's rows get the same values as in the whole batch up to float rounding.
/// </summary>
public static class ChunkedScoring
{
    /// <summary>
    /// Calls <paramref name="score"/> on row chunks of <paramref name="inputs"/> (each [batch, ...], the same batch;
    /// a chunk is a view of at most <paramref name="chunkSize"/> rows of each) and concatenates each of its results
    /// along dim 0: result k is [batch, ...]. Every chunk runs in its own dispose scope; only its results leave it.
    /// <paramref name="chunkSize"/> null, 0 or at least the batch scores the whole batch in one call (on the inputs
    /// themselves). The results live in the caller's dispose scope.
    /// </summary>
    public static Tensor[] ByRows(IReadOnlyList<Tensor> inputs, int? chunkSize, Func<Tensor[], Tensor[]> score)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(score);
        if (inputs.Count == 0) throw new ArgumentException("At least one input tensor is needed.", nameof(inputs));
        if (chunkSize is < 0) throw new ArgumentOutOfRangeException(nameof(chunkSize), chunkSize, "The chunk size must be null, 0 (whole batch) or positive.");
        long rows = inputs[0].shape[0];
        for (int i = 1; i < inputs.Count; i++)
            if (inputs[i].shape[0] != rows)
                throw new ArgumentException($"Input {i} has {inputs[i].shape[0]} rows; input 0 has {rows}: every input needs the same rows.", nameof(inputs));
        if (chunkSize is null or 0 || chunkSize >= rows)
        {
            using var scope = NewDisposeScope();
            return score(inputs.ToArray()).Select(t => t.MoveToOuterDisposeScope()).ToArray();
        }
        var parts = new List<Tensor[]>();
        try
        {
            for (long start = 0; start < rows; start += chunkSize.Value)
            {
                long length = Math.Min(chunkSize.Value, rows - start);
                using var scope = NewDisposeScope();
                var chunk = inputs.Select(t => t.narrow(0, start, length)).ToArray();
                parts.Add(score(chunk).Select(t => t.DetachFromDisposeScope()).ToArray());
            }
            if (parts.Any(p => p.Length != parts[0].Length))
                throw new InvalidOperationException("The scoring function returned a different number of tensors for different chunks.");
            return Enumerable.Range(0, parts[0].Length).Select(k => cat(parts.Select(p => p[k]).ToArray(), 0)).ToArray();
        }
        finally
        {
            foreach (var part in parts)
                foreach (var t in part) t.Dispose();
        }
    }
}
