using Ippo.MLNet.Core.Evaluation;

namespace Ippo.MLNet.Reproduction;

/// <summary>The influence score of one correct-answer I-PPO episode, with its step label (faithful or not).</summary>
/// <param name="Seed">The seed.</param>
/// <param name="Iteration">1-based iteration the episode was sampled in.</param>
/// <param name="Score">Its influence score (dot product with the validation gradient).</param>
/// <param name="Label"><see cref="TraceLabel.CorrectFaithful"/> or <see cref="TraceLabel.CorrectUnfaithful"/>.</param>
/// <param name="Kept">Whether the filter kept it.</param>
public sealed record InfluenceSample(int Seed, int Iteration, double Score, TraceLabel Label, bool Kept);
