using System.Text.Json.Serialization;

namespace Ippo.MLNet.Core.Rollouts.Remote;

// The subset of vLLM's /v1/completions answer the engine reads (vllm/entrypoints/openai/completion/protocol.py):
// choices[i].index, .token_ids (with return_token_ids), .logprobs.token_logprobs (with logprobs >= 0), .finish_reason.
internal sealed class CompletionsAnswer
{
    [JsonPropertyName("choices")] public List<CompletionsChoice?>? Choices { get; set; }
}

internal sealed class CompletionsChoice
{
    [JsonPropertyName("index")] public int? Index { get; set; }
    [JsonPropertyName("token_ids")] public List<int>? TokenIds { get; set; }
    [JsonPropertyName("logprobs")] public CompletionsLogProbs? LogProbs { get; set; }
    [JsonPropertyName("finish_reason")] public string? FinishReason { get; set; }
}

internal sealed class CompletionsLogProbs
{
    [JsonPropertyName("token_logprobs")] public List<float?>? TokenLogProbs { get; set; }
}
