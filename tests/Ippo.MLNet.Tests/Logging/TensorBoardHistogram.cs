namespace Ippo.MLNet.Tests.Logging;

/// <summary>A histogram's count, sum and bucket counts.</summary>
internal sealed record TensorBoardHistogram(double Count, double Sum, IReadOnlyList<double> Buckets);
