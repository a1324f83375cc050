namespace Ippo.MLNet.Core.Training;

/// <summary>Linear warm-up then cosine decay to a floor.</summary>
public static class LearningRateSchedule
{
    /// <summary>The learning rate at 0-based <paramref name="step"/> of <paramref name="totalSteps"/>.</summary>
    public static double WarmupCosine(int step, int totalSteps, double peak, int warmupSteps, double minFraction)
    {
        warmupSteps = Math.Min(warmupSteps, totalSteps);
        if (step < warmupSteps) return peak * (step + 1) / warmupSteps;
        double progress = totalSteps <= warmupSteps ? 1 : (double)(step - warmupSteps) / Math.Max(1, totalSteps - warmupSteps - 1);
        progress = Math.Clamp(progress, 0, 1);
        double cosine = 0.5 * (1 + Math.Cos(Math.PI * progress));
        return peak * (minFraction + (1 - minFraction) * cosine);
    }
}
