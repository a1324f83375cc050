using Ippo.MLNet.Core.Evaluation;

namespace Ippo.MLNet.Core.Tasks.Gsm8k;

/// <summary>Evaluation's view of GSM8K: numeric answer match and the calculator-annotation step check.</summary>
public sealed class Gsm8kJudge : ITaskJudge
{
    /// <inheritdoc />
    public string? ExtractAnswer(string completion) => AnswerExtractor.Extract(completion);

    /// <inheritdoc />
    public string TrueAnswer(string prompt, string? reference) =>
        AnswerExtractor.Normalise(reference ?? throw new ArgumentException("GSM8K evaluation needs the reference answer column.", nameof(reference)))
        ?? throw new ArgumentException($"The reference answer \"{reference}\" is not a number.", nameof(reference));

    /// <inheritdoc />
    public TraceLabel? Label(string prompt, string completion, string? reference) => Gsm8kStepChecker.Label(completion, TrueAnswer(prompt, reference));
}
