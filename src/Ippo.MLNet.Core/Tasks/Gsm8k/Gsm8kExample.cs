namespace Ippo.MLNet.Core.Tasks.Gsm8k;

/// <summary>One GSM8K problem: the question and the gold solution ending in <c>#### answer</c>.</summary>
/// <param name="Question">The word problem.</param>
/// <param name="Answer">The gold solution with calculator annotations and the final "#### N" line.</param>
public sealed record Gsm8kExample(string Question, string Answer)
{
    /// <summary>The normalised final answer (after ####).</summary>
    public string FinalAnswer => AnswerExtractor.Extract(Answer[Answer.LastIndexOf("####", StringComparison.Ordinal)..]) ?? "";

    /// <summary>The calculator annotations of the gold solution.</summary>
    public IReadOnlyList<CalculatorAnnotation> Annotations => CalculatorAnnotation.FindAll(Answer);
}
