using Ippo.MLNet.Core.Evaluation;

namespace Ippo.MLNet.Core.Tasks.Arithmetic;

/// <summary>The verdict of <see cref="ArithmeticChecker"/> on one completion.</summary>
/// <param name="Label">The label.</param>
/// <param name="FinalAnswer">The answer written after ';', or null when unreadable.</param>
/// <param name="Reason">Why, in words (e.g. "step 2 does not start from the previous result 68").</param>
public sealed record TraceCheck(TraceLabel Label, int? FinalAnswer, string Reason);
