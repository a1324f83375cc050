namespace Ippo.MLNet.Reproduction;

/// <summary>Names of <see cref="ExperimentMethod"/> as they appear on the command line and in the result files.</summary>
public static class ExperimentMethods
{
    /// <summary>Every method, in the order they run and are reported.</summary>
    public static IReadOnlyList<ExperimentMethod> All { get; } = Enum.GetValues<ExperimentMethod>();

    /// <summary>The name of <paramref name="method"/>: SFT, PPO, I-PPO, I-PPO-no-reweight, PPO-random-drop, GRPO or I-GRPO.</summary>
    public static string Name(this ExperimentMethod method) => method switch
    {
        ExperimentMethod.Sft => "SFT",
        ExperimentMethod.Ppo => "PPO",
        ExperimentMethod.IPpo => "I-PPO",
        ExperimentMethod.IPpoNoReweight => "I-PPO-no-reweight",
        ExperimentMethod.PpoRandomDrop => "PPO-random-drop",
        ExperimentMethod.Grpo => "GRPO",
        ExperimentMethod.IGrpo => "I-GRPO",
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown method."),
    };

    /// <summary>Whether <paramref name="method"/> is critic-free and samples <see cref="ExperimentOptions.GroupSize"/> completions per prompt.</summary>
    public static bool IsGroupMethod(this ExperimentMethod method) => method is ExperimentMethod.Grpo or ExperimentMethod.IGrpo;

    /// <summary>Every method's name, in <see cref="All"/>'s order.</summary>
    public static string[] Names => All.Select(Name).ToArray();

    /// <summary>The method named <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">No method has that name.</exception>
    public static ExperimentMethod Parse(string name)
    {
        foreach (var method in All)
            if (string.Equals(method.Name(), name?.Trim(), StringComparison.OrdinalIgnoreCase)) return method;
        throw new ArgumentException($"Unknown method \"{name}\"; expected one of {string.Join(", ", Names)}.", nameof(name));
    }
}
