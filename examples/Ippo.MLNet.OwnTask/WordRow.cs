namespace Ippo.MLNet.OwnTask;

/// <summary>One row of the example's views: a prompt and its answer (the SFT target, the reward's reference).</summary>
public sealed class WordRow
{
    /// <summary>The prompt, for example "abc&gt;".</summary>
    public string Prompt { get; set; } = "";

    /// <summary>The answer, for example "cba".</summary>
    public string Answer { get; set; } = "";
}
