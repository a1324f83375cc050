using Ippo.MLNet.Core.Generation;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Training;

/// <summary>A padded batch of prompt/completion pairs. Disposing frees the tensors.</summary>
public sealed class TrainingBatch : IDisposable
{
    private TrainingBatch(Tensor promptTokens, Tensor promptMask, Tensor responseTokens, Tensor responseMask)
    {
        PromptTokens = promptTokens;
        PromptMask = promptMask;
        ResponseTokens = responseTokens;
        ResponseMask = responseMask;
    }

    /// <summary>Left-padded prompts [batch, promptLength] int64.</summary>
    public Tensor PromptTokens { get; }

    /// <summary>1 on real prompt tokens [batch, promptLength].</summary>
    public Tensor PromptMask { get; }

    /// <summary>Right-padded completions [batch, responseLength] int64.</summary>
    public Tensor ResponseTokens { get; }

    /// <summary>1 on real completion tokens [batch, responseLength].</summary>
    public Tensor ResponseMask { get; }

    /// <summary>Pads <paramref name="examples"/> into tensors on <paramref name="device"/>.</summary>
    public static TrainingBatch Collate(IReadOnlyList<TokenizedExample> examples, int padId, Device device)
    {
        if (examples.Count == 0) throw new ArgumentException("A batch needs at least one example.", nameof(examples));
        var (promptTokens, promptMask) = PromptBatch.LeftPad(examples.Select(e => e.Prompt).ToList(), padId, device);
        var (responseTokens, responseMask) = PromptBatch.RightPad(examples.Select(e => e.Completion).ToList(), padId, device);
        return new TrainingBatch(promptTokens, promptMask, responseTokens, responseMask);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        PromptTokens.Dispose();
        PromptMask.Dispose();
        ResponseTokens.Dispose();
        ResponseMask.Dispose();
    }
}
