using Ippo.MLNet.Core.Evaluation;

namespace Ippo.MLNet.OwnTask;

/// <summary>What the example measured.</summary>
/// <param name="Sft">Held-out metrics of the SFT warm start.</param>
/// <param name="Ppo">Held-out metrics after PPO.</param>
/// <param name="IPpo">Held-out metrics after I-PPO.</param>
/// <param name="IPpoKeptFraction">Mean fraction of episodes I-PPO's filter kept per iteration.</param>
/// <param name="GreedyBeforeSave">Greedy completions of the held-out prompts by the I-PPO pipeline.</param>
/// <param name="GreedyAfterLoad">The same after SaveModel and LoadModel.</param>
/// <param name="LogLines">Lines the library wrote to the MLContext log.</param>
public sealed record OwnTaskResult(PolicyMetrics Sft, PolicyMetrics Ppo, PolicyMetrics IPpo, double IPpoKeptFraction,
    IReadOnlyList<string> GreedyBeforeSave, IReadOnlyList<string> GreedyAfterLoad, int LogLines);
