using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Influence;

/// <summary>
/// What one differentiable pass over a batch of episodes produced: per-episode losses [batch], response log-probs and
/// entropy [batch, responseLength] (graph attached), and the episodes' gradients once
/// <see cref="InfluenceScoring.Capture"/> has run the backward pass.
/// </summary>
public sealed class EpisodeForward : IDisposable
{
    internal EpisodeForward(Tensor losses, Tensor logProbs, Tensor entropy, EpisodeGradients gradients)
    {
        Losses = losses;
        LogProbs = logProbs;
        Entropy = entropy;
        Gradients = gradients;
    }

    /// <summary>Each episode's clipped PPO loss [batch] (detached).</summary>
    public Tensor Losses { get; }

    /// <summary>Log-probs of the response tokens [batch, responseLength] at the scored parameters (detached).</summary>
    public Tensor LogProbs { get; }

    /// <summary>Per-token entropy [batch, responseLength] (detached).</summary>
    public Tensor Entropy { get; }

    /// <summary>Every episode's gradient, implicitly.</summary>
    public EpisodeGradients Gradients { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        Losses.Dispose();
        LogProbs.Dispose();
        Entropy.Dispose();
        Gradients.Dispose();
    }
}
