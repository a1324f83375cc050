using Ippo.MLNet.Core.Evaluation;
using Ippo.MLNet.Core.Ppo;

namespace Ippo.MLNet.Gsm8k;

/// <summary>What a GSM8K run measured.</summary>
/// <param name="UsedChatTemplate">Whether prompts went through the tokenizer's chat template.</param>
/// <param name="SftLoss">Mean loss of SFT's last window (NaN without SFT).</param>
/// <param name="Training">Every PPO iteration's metrics and why training stopped early, if it did.</param>
/// <param name="Test">Test-split metrics: accuracy, maj@k, pass@k, faithful accuracy and unfaithful rate (step check).</param>
public sealed record Gsm8kRunResult(bool UsedChatTemplate, double SftLoss, PpoRunResult Training, PolicyMetrics Test);
