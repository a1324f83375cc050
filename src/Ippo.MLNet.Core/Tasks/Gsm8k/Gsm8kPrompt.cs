namespace Ippo.MLNet.Core.Tasks.Gsm8k;

/// <summary>The prompt template for GSM8K questions: <c>Question: {question}\nAnswer:</c>.</summary>
public static class Gsm8kPrompt
{
    /// <summary>Formats one question.</summary>
    public static string Format(string question) => $"Question: {question.Trim()}\nAnswer:";
}
