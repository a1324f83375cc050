using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Generation;

/// <summary>
/// The output of <see cref="TextGenerator.Generate"/>. Prompts are left-padded, completions right-padded;
/// masks, not pad ids, say which positions are real. Disposing frees the tensors.
/// </summary>
public sealed class GenerationResult : IDisposable
{
    internal GenerationResult(Tensor promptTokens, Tensor promptMask, Tensor tokens, Tensor logProbs, Tensor mask, bool[] endedWithStop)
    {
        PromptTokens = promptTokens;
        PromptMask = promptMask;
        Tokens = tokens;
        LogProbs = logProbs;
        Mask = mask;
        EndedWithStop = endedWithStop;
    }

    /// <summary>Left-padded prompts [batch, promptLength] int64.</summary>
    public Tensor PromptTokens { get; }

    /// <summary>1 on real prompt tokens [batch, promptLength] float32.</summary>
    public Tensor PromptMask { get; }

    /// <summary>Generated tokens, stop token included, right-padded [batch, responseLength] int64.</summary>
    public Tensor Tokens { get; }

    /// <summary>Log-prob of each generated token under the sampling temperature [batch, responseLength]; 0 on padding.</summary>
    public Tensor LogProbs { get; }

    /// <summary>1 on generated tokens (stop token included) [batch, responseLength] float32.</summary>
    public Tensor Mask { get; }

    /// <summary>Per row: true when it ended with a stop token (EOS) before running out of new tokens.</summary>
    public IReadOnlyList<bool> EndedWithStop { get; }

    /// <summary>The generated ids of each row, without padding and without the final stop token.</summary>
    public int[][] CompletionIds()
    {
        var tokens = Tokens.cpu().data<long>().ToArray();
        var lengths = Mask.sum(dim: 1).to(ScalarType.Int64).cpu().data<long>().ToArray();
        long width = Tokens.shape[1];
        var rows = new int[lengths.Length][];
        for (int i = 0; i < rows.Length; i++)
        {
            long n = lengths[i] - (EndedWithStop[i] ? 1 : 0);
            rows[i] = Enumerable.Range(0, (int)n).Select(j => (int)tokens[i * width + j]).ToArray();
        }
        return rows;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        PromptTokens.Dispose();
        PromptMask.Dispose();
        Tokens.Dispose();
        LogProbs.Dispose();
        Mask.Dispose();
    }
}
