using System.Text.Json.Nodes;

namespace Ippo.MLNet.Core.Ppo;

/// <summary>The scalar side of a trainer checkpoint (<c>trainer.json</c>); the tensors live in files beside it.</summary>
/// <param name="FormatVersion">Layout version of the checkpoint folder.</param>
/// <param name="Iteration">Iterations completed when it was written.</param>
/// <param name="Seed">The run's <see cref="PpoOptions.Seed"/>; with <paramref name="Iteration"/> it fixes every generator's state.</param>
/// <param name="Model">Config of the policy (and the reference and critic built from it) as its architecture writes it, with
/// <c>model_type</c> (<see cref="Checkpoints.ModelConfigJson"/>).</param>
/// <param name="ValueHead">Where the critic lives.</param>
/// <param name="KlCoefficient">The KL controller's beta.</param>
/// <param name="NonFiniteStreak">Non-finite iterations in a row so far.</param>
/// <param name="History">Metrics of every iteration so far.</param>
public sealed record TrainerCheckpointState(
    int FormatVersion,
    int Iteration,
    int Seed,
    JsonObject Model,
    ValueHeadPlacement ValueHead,
    double KlCoefficient,
    int NonFiniteStreak,
    IReadOnlyList<PpoIterationMetrics> History)
{
    /// <summary>
    /// The layout this version writes and reads. 2: the model config carries model_type and the critic's tensors are
    /// named <c>model.*</c> and <c>value_head.*</c> (1: a GPT config and <c>transformer.*</c>).
    /// </summary>
    public const int CurrentFormat = 2;
}
