namespace Ippo.MLNet.Core.Training;

/// <summary>A progress report of <see cref="SftTrainer"/>.</summary>
/// <param name="Step">Steps done so far (1-based).</param>
/// <param name="TotalSteps">Steps planned.</param>
/// <param name="Loss">Mean loss over the steps since the previous report.</param>
/// <param name="LearningRate">Learning rate of the last step.</param>
public sealed record SftProgress(int Step, int TotalSteps, double Loss, double LearningRate);
