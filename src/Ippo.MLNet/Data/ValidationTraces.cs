using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Training;
using Microsoft.ML;

namespace Ippo.MLNet;

/// <summary>Reads a validation view of prompts and gold completions into token ids for the influence filter.</summary>
internal static class ValidationTraces
{
    public static IReadOnlyList<TokenizedExample> Read(IDataView? data, string promptColumn, string completionColumn, Policy policy, string option)
    {
        if (data is null) throw new ArgumentException($"{option} is required: influence compares episodes against gold validation traces.", option);
        var prompts = SchemaChecks.ReadText(data, promptColumn, option + " prompt column");
        var completions = SchemaChecks.ReadText(data, completionColumn, option + " completion column");
        if (prompts.Count == 0) throw new ArgumentException($"The validation view ({option}) is empty: column '{promptColumn}' has no rows.", option);
        var traces = new List<TokenizedExample>(prompts.Count);
        for (int i = 0; i < prompts.Count; i++)
        {
            try
            {
                var example = new TokenizedExample(policy.EncodePrompt(prompts[i]), policy.EncodeCompletion(completions[i]));
                if (example.Prompt.Length + example.Completion.Length > policy.Model.Config.ContextLength)
                    throw new ArgumentException($"it has {example.Prompt.Length + example.Completion.Length} tokens; the policy's context length is {policy.Model.Config.ContextLength}.");
                traces.Add(example);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Validation row {i} ({option}) cannot be used: {e.Message}", option, e);
            }
        }
        return traces;
    }
}
