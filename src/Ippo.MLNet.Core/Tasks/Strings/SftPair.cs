namespace Ippo.MLNet.Core.Tasks.Strings;

/// <summary>One supervised example of a <see cref="StringTask"/>.</summary>
/// <param name="Prompt">The prompt, e.g. <c>abc&gt;</c>.</param>
/// <param name="Completion">The correct completion, e.g. <c>cba</c> (EOS not included).</param>
public sealed record SftPair(string Prompt, string Completion);
