namespace Ippo.MLNet;

/// <summary>The input row of a policy transformer: one prompt (column name set by the options).</summary>
public sealed class PromptRow
{
    /// <summary>The prompt text.</summary>
    public string Prompt { get; set; } = "";
}
