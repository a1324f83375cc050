using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Training;
using static TorchSharp.torch;

namespace Ippo.MLNet.Benchmarks;

/// <summary>The step the training benchmarks time: one SFT forward + backward + AdamW step inside a dispose scope.</summary>
internal static class SftStep
{
    public static float Run(CausalLanguageModel model, optim.Optimizer optimizer, TrainingBatch batch)
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        var loss = SftLoss.Compute(model, batch);
        loss.backward();
        optimizer.step();
        return loss.item<float>();
    }
}
