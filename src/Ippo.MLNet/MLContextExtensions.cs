using Microsoft.ML;

namespace Ippo.MLNet;

/// <summary>The entry point: <c>mlContext.Ippo()</c>.</summary>
public static class MLContextExtensions
{
    /// <summary>The Ippo.MLNet catalog of estimators, evaluation and model IO for <paramref name="mlContext"/>.</summary>
    public static IppoCatalog Ippo(this MLContext mlContext) => new(mlContext ?? throw new ArgumentNullException(nameof(mlContext)));
}
