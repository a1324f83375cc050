using Ippo.MLNet.Core.Evaluation;

namespace Ippo.MLNet.Core.Tasks.Arithmetic;

/// <summary>One SFT example of the built-in task.</summary>
/// <param name="Prompt">The prompt, e.g. <c>23+45-12=</c>.</param>
/// <param name="Completion">The completion (EOS not included).</param>
/// <param name="Kind">What kind of trace it is (what <see cref="ArithmeticChecker"/> says of it).</param>
public sealed record SftExample(string Prompt, string Completion, TraceLabel Kind);
