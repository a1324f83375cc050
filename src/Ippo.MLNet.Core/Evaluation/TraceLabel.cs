namespace Ippo.MLNet.Core.Evaluation;

/// <summary>What a step checker says about one chain-of-thought completion.</summary>
public enum TraceLabel
{
    /// <summary>Right final answer, and every step is right and follows from the previous one.</summary>
    CorrectFaithful,

    /// <summary>Right final answer reached through a wrong, skipped or unconnected step.</summary>
    CorrectUnfaithful,

    /// <summary>A readable final answer that is wrong.</summary>
    Wrong,

    /// <summary>No readable answer, or text the checker cannot parse.</summary>
    Malformed,
}
