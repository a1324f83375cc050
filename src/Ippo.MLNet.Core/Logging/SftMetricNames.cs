namespace Ippo.MLNet.Core.Logging;

/// <summary>Names of the per-step SFT metrics, as the Hugging Face Trainer logs them to TensorBoard.</summary>
public static class SftMetricNames
{
    /// <summary>The loss of one optimizer step.</summary>
    public const string Loss = "train/loss";

    /// <summary>The learning rate the step used.</summary>
    public const string LearningRate = "train/learning_rate";
}
