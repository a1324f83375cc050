namespace Ippo.MLNet.Core.Influence;

/// <summary>Kept episode rows (ascending) and their weights (null: all 1).</summary>
public sealed record InfluenceDecision(IReadOnlyList<int> Kept, IReadOnlyList<float>? Weights);
